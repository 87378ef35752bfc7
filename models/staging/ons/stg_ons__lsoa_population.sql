with

checked as (
    select * from {{ ref('base_ons__lsoa_population') }}
),

final as (
    select
        -- ids
        lsoa_code,
        age,

        -- measures
        population
    from checked
    where reject_reason is null
)

select * from final
