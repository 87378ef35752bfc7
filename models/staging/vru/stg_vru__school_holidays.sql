with

checked as (
    select * from {{ ref('base_vru__school_holidays') }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected.
intake as materialized (
    {{ intake_check(
        ref('base_vru__school_holidays'), 'school_holidays.csv', required=false
    ) | indent(4) }}
),

final as (
    select
        -- ids
        start_date,

        -- attributes
        end_date,
        description
    from checked
    where reject_reason is null and (select intake.passes from intake)
)

select * from final
