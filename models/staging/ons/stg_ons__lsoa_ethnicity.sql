with

checked as (
    select * from {{ ref('base_ons__lsoa_ethnicity') }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected.
intake as materialized (
    {{ intake_check(
        ref('base_ons__lsoa_ethnicity'),
        'lsoa_ethnicity.csv',
        not_counted=['outside_study_area'],
        required=false
    ) | indent(4) }}
),

final as (
    select
        -- ids
        lsoa_code,
        ethnic_group,
        age_min,

        -- attributes
        age_max,
        is_all_ages,

        -- measures
        population
    from checked
    where reject_reason is null and (select intake.passes from intake)
)

select * from final
