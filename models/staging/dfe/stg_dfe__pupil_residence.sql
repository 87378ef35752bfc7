with

checked as (
    select * from {{ ref('base_dfe__pupil_residence') }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected.
intake as materialized (
    {{ intake_check(
        ref('base_dfe__pupil_residence'), 'pupil_residence.csv', required=false
    ) | indent(4) }}
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
    where reject_reason is null and (select intake.passes from intake)
)

select * from final
