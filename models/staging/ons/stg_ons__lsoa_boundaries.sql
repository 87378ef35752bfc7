with

checked as (
    select * from {{ ref('base_ons__lsoa_boundaries') }}
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
    where reject_reason is null
)

select * from final
