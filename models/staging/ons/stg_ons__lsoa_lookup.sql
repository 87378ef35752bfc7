with

checked as (
    select * from {{ ref('base_ons__lsoa_lookup') }}
),

final as (
    select
        -- ids
        lsoa_code,
        msoa_code,
        ward_code,
        lad_code,

        -- attributes
        lsoa_name,
        msoa_name,
        ward_name,
        lad_name
    from checked
    where reject_reason is null
)

select * from final
