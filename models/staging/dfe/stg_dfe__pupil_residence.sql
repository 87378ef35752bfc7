with

checked as (
    select * from {{ ref('base_dfe__pupil_residence') }}
),

final as (
    select
        -- ids
        urn,
        lsoa_code,

        -- attributes
        is_suppressed,

        -- measures
        pupils
    from checked
    where reject_reason is null
)

select * from final
