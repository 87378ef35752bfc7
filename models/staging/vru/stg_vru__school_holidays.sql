with

checked as (
    select * from {{ ref('base_vru__school_holidays') }}
),

final as (
    select
        -- ids
        start_date,

        -- attributes
        end_date,
        description
    from checked
    where reject_reason is null
)

select * from final
