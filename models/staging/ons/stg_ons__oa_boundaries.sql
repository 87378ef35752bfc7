with

checked as (
    select * from {{ ref('base_ons__oa_boundaries') }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected.
intake as materialized (
    {{ intake_check(
        ref('base_ons__oa_boundaries'),
        'oa_boundaries',
        not_counted=['outside_study_area'],
        required=false
    ) | indent(4) }}
),

final as (
    select
        -- ids
        oa_code,
        lsoa_code,

        -- attributes
        source_crs,

        -- measures
        st_area(geom) / 1e6 as area_km2,

        -- geometry
        geom
    from checked
    where reject_reason is null and (select intake.passes from intake)
)

select * from final
