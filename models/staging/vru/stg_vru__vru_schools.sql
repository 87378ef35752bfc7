with

checked as (
    select * from {{ ref('base_vru__vru_schools') }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected.
intake as materialized (
    {{ intake_check(
        ref('base_vru__vru_schools'), 'vru_schools.csv', required=false
    ) | indent(4) }}
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
    where reject_reason is null and (select intake.passes from intake)
)

select * from final
