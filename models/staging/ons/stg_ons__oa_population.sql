with

checked as (
    select * from {{ ref('base_ons__oa_population') }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected.
intake as materialized (
    {{ intake_check(
        ref('base_ons__oa_population'),
        'oa_population.csv',
        not_counted=['outside_study_area'],
        required=false
    ) | indent(4) }}
),

final as (
    select
        -- ids
        oa_code,
        age,

        -- measures
        population
    from checked
    where reject_reason is null and (select intake.passes from intake)
)

select * from final
