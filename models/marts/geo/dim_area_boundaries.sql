-- One row per area of fct_area_violence (every level, and the force): its polygon in
-- EPSG:27700, for the map exports and the report. An output area's polygon is its own; a
-- higher level's is the union of its LSOAs through the same best-fit lookup that sums their
-- counts, so map and figures agree.
with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

lookup as (
    select * from {{ ref('stg_ons__lsoa_lookup') }}
),

oas as (
    select * from {{ ref('stg_ons__oa_boundaries') }}
),

areas as (
    select * from {{ ref('fct_area_violence') }}
),

lsoa_levels as (
    select
        lsoas.geom,
        lsoas.lsoa_code as member_lsoa_code,
        lsoas.lsoa_code,
        lookup.msoa_code,
        lookup.ward_code,
        lookup.lad_code,
        'force' as force_code
    from lsoas
    left join lookup
        on lsoas.lsoa_code = lookup.lsoa_code
),

-- One row per LSOA and level it belongs to; unpivot drops the levels the lookup leaves null.
memberships as (
    select
        geom,
        member_lsoa_code,
        area_code,
        replace(code_column, '_code', '') as area_level
    from (
        unpivot lsoa_levels
        on lsoa_code, msoa_code, ward_code, lad_code, force_code
        into name code_column value area_code
    )
),

polygons as (
    select
        area_level,
        area_code,
        case
            when count(*) = 1 then any_value(geom)
            -- In LSOA order: the union's vertices start wherever its first polygon does,
            -- so in any other order a rebuild could store the same shape differently.
            else st_union_agg(geom order by member_lsoa_code)
        end as geom
    from memberships
    group by area_level, area_code

    union all

    select
        'oa' as area_level,
        oa_code as area_code,
        geom
    from oas
),

final as (
    select
        -- ids
        areas.area_level,
        areas.area_code,

        -- attributes
        areas.area_name,

        -- measures
        st_area(polygons.geom) / 1e6 as area_km2,

        -- geometry
        polygons.geom
    from areas
    inner join polygons
        on
            areas.area_level = polygons.area_level
            and areas.area_code = polygons.area_code
)

select * from final
order by area_level, area_code
