-- Invariant (warning): the LSOA polygons do not overlap: their areas add up to the area of
-- their union (the force polygon of dim_area_boundaries) within one part in 100,000, less
-- than one LSOA of England's 34,000. Overlapping polygons (a file that mixes two vintages,
-- or one area given twice under two codes) put each offence and home in the overlap in the
-- lower code alone (macro locate_in_lsoas), so the other area's counts and rates come out
-- too low, and no other check shows it. On real ONS boundaries (the West Midlands'
-- generalised ones) the two differ by about one part in a billion. A pairwise check of
-- every polygon would name the areas, but took 99 s at national size; this one takes none.
{{ config(severity='warn') }}

with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

areas as (
    select * from {{ ref('dim_area_boundaries') }}
),

measured as (
    select
        (select sum(st_area(lsoas.geom)) from lsoas) as lsoa_area_total,
        (
            select st_area(areas.geom)
            from areas
            where areas.area_level = 'force'
        ) as union_area
)

select
    lsoa_area_total,
    union_area,
    lsoa_area_total / union_area - 1 as overlap_share
from measured
where lsoa_area_total > 1.00001 * union_area
