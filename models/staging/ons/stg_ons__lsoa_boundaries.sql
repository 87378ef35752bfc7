with

checked as (
    select * from {{ ref('base_ons__lsoa_boundaries') }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected.
intake as materialized (
    {{ intake_check(
        ref('base_ons__lsoa_boundaries'), 'lsoa_boundaries'
    ) | indent(4) }}
),

final as (
    select
        -- ids
        lsoa_code,

        -- attributes
        lsoa_name,
        source_crs,

        -- measures
        st_area(geom) / 1e6 as area_km2,

        -- geometry
        geom
    from checked
    where reject_reason is null and (select intake.passes from intake)
)

select * from final
