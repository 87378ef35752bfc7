with

checked as (
    select * from {{ ref('base_ons__lsoa_population') }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected.
intake as materialized (
    {{ intake_check(
        ref('base_ons__lsoa_population'),
        'lsoa_population.csv',
        not_counted=['outside_study_area']
    ) | indent(4) }}
),

final as (
    select
        -- ids
        lsoa_code,
        age,

        -- measures
        population
    from checked
    where reject_reason is null and (select intake.passes from intake)
)

select * from final
