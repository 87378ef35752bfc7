-- One row per LSOA and catchment segment (seed catchment_segments): the resident children of
-- the segment's ages, the origins of the catchment models.
with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

population as (
    select * from {{ ref('stg_ons__lsoa_population') }}
),

segments as (
    select * from {{ ref('catchment_segments') }}
),

children as (
    select
        population.lsoa_code,
        segments.segment,
        sum(population.population) as children
    from population
    inner join segments
        on population.age between segments.min_age and segments.max_age
    group by population.lsoa_code, segments.segment
),

final as (
    select
        lsoas.lsoa_code,
        segments.segment,
        coalesce(children.children, 0) as children
    from lsoas
    cross join segments
    left join children
        on
            lsoas.lsoa_code = children.lsoa_code
            and segments.segment = children.segment
)

select * from final
