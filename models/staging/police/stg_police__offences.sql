with

checked as (
    select * from {{ ref('base_police__offences') }}
),

offence_classes as (
    {{ offence_classification() | indent(4) }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected. When the
-- study area was cut from larger boundaries (var study_area_is_cut, set by open-data mode's
-- --local-authorities or --force-area), offences outside it are expected, and are rejected
-- without counting against the file.
intake as materialized (
    {{ intake_check(
        ref('base_police__offences'), offence_file_label(),
        not_counted=['outside_study_area'] if var('study_area_is_cut') else []
    ) | indent(4) }}
),

-- Stops the build when no staged crime can be counted: every one cancelled (a status column
-- mapped the wrong way, or an extract of cancellations only), none located in an LSOA
-- (easting and northing left empty by the export), or none of a violent class (an extract of
-- one other crime type). The rates, intervals and ranks after it cannot be computed from no
-- violent offence (they ended in a DuckDB error far from the cause).
standing as materialized (
    select
        {{ first_build_stop([
            (
                'staged_crimes > 0 and standing_crimes = 0',
                offence_file_label() ~ ': every one of its {} staged crimes has status'
                ~ ' cancelled, so no offence is left to count. Check the status column:'
                ~ ' confirmed (or empty) for a crime that stands, cancelled only for one that'
                ~ ' was cancelled.',
                ['staged_crimes'],
            ),
            (
                'standing_crimes > 0 and located_crimes = 0',
                offence_file_label() ~ ': none of its {} staged crimes has a location'
                ~ ' (easting and northing), so no area has an offence to count. Check that the'
                ~ ' export fills easting and northing (British National Grid metres) where the'
                ~ ' crime was geocoded.',
                ['staged_crimes'],
            ),
            (
                'located_crimes > 0 and violent_crimes = 0',
                offence_file_label() ~ ': none of its {} staged crimes is violent (a Home'
                ~ ' Office code of seed offence_classes in var violence_categories: '
                ~ var('violence_categories') | join(', ') ~ '), confirmed and located, so'
                ~ ' there is no violence to count. Is it the whole crime extract of the force,'
                ~ ' not one crime type?',
                ['staged_crimes'],
            ),
        ]) | indent(8) }} as passes
    from (
        select
            count(*) filter (where checked.reject_reason is null) as staged_crimes,
            count(*) filter (
                where checked.reject_reason is null and checked.status != 'cancelled'
            ) as standing_crimes,
            count(*) filter (
                where checked.reject_reason is null
                and checked.status != 'cancelled'
                and checked.lsoa_code is not null
            ) as located_crimes,
            count(*) filter (
                where checked.reject_reason is null
                and checked.status != 'cancelled'
                and checked.lsoa_code is not null
                and offence_classes.category in {{ sql_list(var('violence_categories')) }}
            ) as violent_crimes
        from checked
        left join offence_classes
            on checked.ho_offence_code = offence_classes.ho_offence_code
    ) as counts
    -- After intake: when it stops the build, its message says more than these.
    where (select intake.passes from intake)
),

final as (
    select
        -- ids
        crime_ref,
        ho_offence_code,
        lsoa_code,

        -- attributes
        offence_title,
        location_type,
        is_knife_crime,
        is_proactive,
        status = 'cancelled' as is_cancelled,

        -- timestamps
        committed_from_at,
        committed_to_at,
        recorded_at,

        -- geometry
        easting,
        northing,
        case
            when easting is not null then st_point(easting, northing)
        end as geom
    from checked
    where
        reject_reason is null
        and (select intake.passes from intake)
        and (select standing.passes from standing)
)

select * from final
