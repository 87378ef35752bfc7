-- One row per staged offence: its Home Office category, whether it counts as violence under
-- var violence_categories, and whether it falls in the analysis window. Cancelled crimes are
-- kept here (flagged) so that data-quality checks can count them; no measure counts them.
with

offences as (
    select * from {{ ref('stg_police__offences') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

offence_classes as (
    {{ offence_classification() | indent(4) }}
),

final as (
    select
        -- ids
        offences.crime_ref,
        offences.lsoa_code,
        offences.ho_offence_code,

        -- attributes
        offence_classes.category as offence_category,
        offence_classes.category in {{ sql_list(var('violence_categories')) }} as is_violent,
        offence_classes.is_serious_violence,
        offences.is_knife_crime,
        offences.is_proactive,
        offences.is_cancelled,
        coalesce(
            cast(offences.committed_from_at as date)
            between analysis_window.window_start_date and analysis_window.window_end_date,
            false
        ) as is_in_window,

        -- timestamps
        offences.committed_from_at,

        -- geometry
        offences.geom
    from offences
    inner join offence_classes
        on offences.ho_offence_code = offence_classes.ho_offence_code
    cross join analysis_window
)

select * from final
