-- One row per special school or alternative provision (catchment_kind 'local_authority'),
-- segment and LSOA: such schools take pupils from their whole local authority (which places
-- and funds them), with a mild preference for nearer homes, so their pupils of each segment
-- are shared among the LSOAs of the school's local authority district in proportion to the
-- children of the segment's ages times exp(-distance / var special_school_range_km) (8 km).
-- Both modelled methods (gravity and nearest) use these flows. A school whose district has
-- no such children keeps its pupils in its own LSOA, flagged.
with

rolls as (
    select * from {{ ref('int_school_rolls_by_segment') }}
    where catchment_kind = 'local_authority'
),

schools as (
    select * from {{ ref('int_school_rolls') }}
),

lsoas as (
    select * from {{ ref('int_lsoa_centroids') }}
),

children as (
    select * from {{ ref('int_lsoa_children_by_segment') }}
),

district_children as (
    select
        rolls.segment,
        rolls.urn,
        children.lsoa_code,
        -- the children, weighted by the mild distance preference
        children.children * exp(
            -st_distance(schools.geom, lsoas.geom) / 1000.0 / {{ var('special_school_range_km') }}
        ) as children
    from rolls
    inner join schools
        on rolls.urn = schools.urn
    inner join lsoas
        on schools.lad_code = lsoas.lad_code
    inner join children
        on lsoas.lsoa_code = children.lsoa_code and rolls.segment = children.segment
    where children.children > 0
),

{{ share_pupils_by_children('district_children') }}

select * from final
