with

checked as (
    select * from {{ ref('base_mhclg__deprivation') }}
),

final as (
    select
        -- ids
        lsoa_code,

        -- measures
        imd_score,
        imd_decile
    from checked
    where reject_reason is null
)

select * from final
