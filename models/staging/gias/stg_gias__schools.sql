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

-- Stops the build when the file gives no school to analyse: none open (a status column of
-- another meaning, or a file of closed establishments), or no open school with a roll or a
-- capacity (the export left NumberOfPupils and SchoolCapacity empty: a school without either
-- takes the median roll of its phase, which then has none). The catchments after it failed
-- with a Python traceback or a not_null test far from the cause.
standing as materialized (
    select
        {{ first_build_stop([
            (
                'staged_schools > 0 and open_schools = 0',
                'schools.csv: none of its {} staged establishments is open (EstablishmentStatus'
                ~ ' (name) Open), and only open schools are analysed. Check the status column,'
                ~ ' or leave it out of the file to take every row as open.',
                ['staged_schools'],
            ),
            (
                'open_schools > 0 and open_schools_with_roll = 0',
                'schools.csv: none of its {} open schools has a roll (NumberOfPupils above 0)'
                ~ ' or a capacity (SchoolCapacity), and the catchments need some: a school'
                ~ ' without either takes the median roll of its phase. Check that the export'
                ~ ' fills NumberOfPupils (GIAS downloads do).',
                ['open_schools'],
            ),
        ]) | indent(8) }} as passes
    from (
        select
            count(*) filter (where reject_reason is null) as staged_schools,
            count(*) filter (
                where reject_reason is null and {{ is_open_status('establishment_status') }}
            ) as open_schools,
            count(*) filter (
                where reject_reason is null
                and {{ is_open_status('establishment_status') }}
                and (pupils_on_roll > 0 or school_capacity > 0)
            ) as open_schools_with_roll
        from checked
    ) as counts
    -- After intake: when it stops the build, its message says more than these.
    where (select intake.passes from intake)
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
        {{ is_open_status('establishment_status') }} as is_open,
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
        school_capacity,

        -- geometry
        easting,
        northing,
        st_point(easting, northing) as geom
    from checked
    where
        reject_reason is null
        and (select intake.passes from intake)
        and (select standing.passes from standing)
)

select * from final
