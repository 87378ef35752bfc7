-- One row per LSOA: the point journeys to school are measured from, and how far homes spread
-- around it. The contract has no population-weighted centroids, so the polygon's centroid is
-- used (or a point on its surface when the centroid falls outside an odd-shaped polygon).
with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

lookup as (
    select * from {{ ref('stg_ons__lsoa_lookup') }}
),

final as (
    select
        lsoas.lsoa_code,
        lookup.lad_code,
        case
            when st_contains(lsoas.geom, st_centroid(lsoas.geom)) then st_centroid(lsoas.geom)
            else st_pointonsurface(lsoas.geom)
        end as geom,
        -- Homes spread evenly over a disc of the LSOA's area lie on average sqrt(area / 2 pi)
        -- (root mean square) from its centre; added to every distance from the LSOA so that
        -- a school inside the LSOA is not taken to be zero kilometres from its pupils.
        sqrt(lsoas.area_km2 / (2 * pi())) as home_spread_km
    from lsoas
    left join lookup
        on lsoas.lsoa_code = lookup.lsoa_code
)

select * from final
