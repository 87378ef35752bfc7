with

checked as (
    select * from {{ ref('base_gias__schools') }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected.
intake as materialized (
    {{ intake_check(
        ref('base_gias__schools'), 'schools.csv', not_counted=['outside_study_area']
    ) | indent(4) }}
),

final as (
    select
        -- ids
        urn,
        la_code,
        lsoa_code,

        -- attributes
        school_name,
        establishment_type,
        establishment_status,
        establishment_status = 'Open' as is_open,
        phase,
        la_name,
        religious_character,
        -- GIAS: 'None', 'Does not apply' and empty mean no religious character.
        coalesce(
            lower(religious_character) not in ('none', 'does not apply', 'not applicable'),
            false
        ) as has_religious_character,
        admissions_policy,
        coalesce(lower(admissions_policy) = 'selective', false) as is_selective,
        low_age,
        high_age,
        is_age_range_from_phase,

        -- measures
        pupils_on_roll,

        -- geometry
        easting,
        northing,
        st_point(easting, northing) as geom
    from checked
    where reject_reason is null and (select intake.passes from intake)
)

select * from final
