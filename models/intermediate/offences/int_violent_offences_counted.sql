-- One row per offence that the measures count: violent (var violence_categories), committed
-- in the analysis window, not cancelled. It reads no person: the all-violence area rates and
-- the school home-area exposure build from it without the person extract. Which offences
-- involve a school-aged person is int_violent_offences_youth_involved.
with

offences as (
    select * from {{ ref('int_offences_classified') }}
    where is_violent and is_in_window and not is_cancelled
),

final as (
    select
        -- ids
        crime_ref,
        lsoa_code,

        -- attributes
        offence_category,
        is_serious_violence,
        is_knife_crime,
        is_proactive,

        -- timestamps
        committed_from_at,

        -- geometry
        geom
    from offences
)

select * from final
