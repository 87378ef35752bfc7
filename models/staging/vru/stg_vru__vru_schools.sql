with

checked as (
    select * from {{ ref('base_vru__vru_schools') }}
),

final as (
    select
        -- ids
        urn,

        -- attributes
        programme,

        -- timestamps
        added_on
    from checked
    where reject_reason is null
)

select * from final
