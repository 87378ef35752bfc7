with

checked as (
    select * from {{ ref('base_mhclg__deprivation') }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected.
intake as materialized (
    {{ intake_check(
        ref('base_mhclg__deprivation'),
        'deprivation.csv',
        not_counted=['outside_study_area'],
        required=false
    ) | indent(4) }}
),

final as (
    select
        -- ids
        lsoa_code,

        -- measures
        imd_score,
        imd_decile
    from checked
    where reject_reason is null and (select intake.passes from intake)
)

select * from final
