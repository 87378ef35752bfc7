-- Invariant (warning): the LSOA polygons do not overlap: their areas add up to the area of
-- their union (the force polygon of dim_area_boundaries) within one part in 100,000, less
-- than one LSOA of England's 34,000. Overlapping polygons (a file that mixes two vintages,
-- or one area given twice under two codes) put each offence and home in the overlap in the
-- lower code alone (macro locate_in_lsoas), so the other area's counts and rates come out
-- too low, and no other check shows it. On real ONS boundaries (the West Midlands'
-- generalised ones) the two differ by about one part in a billion. Returns the pairs of
-- LSOAs that overlap by over 0.1% of the smaller one (or, when only slivers overlap, the two
-- totals). The pairwise search runs only when the totals differ: it took 99 s at national
-- size.
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
),

overlapping as (
    select
        suspect.lsoa_code,
        other.lsoa_code as other_lsoa_code,
        st_area(st_intersection(suspect.geom, other.geom)) as overlap_area,
        least(st_area(suspect.geom), st_area(other.geom)) as smaller_area
    from (
        select lsoas.*
        from lsoas
        where (
            select measured.lsoa_area_total > 1.00001 * measured.union_area
            from measured
        )
    ) as suspect
    inner join lsoas as other
        on
            st_intersects(suspect.geom, other.geom)
            and suspect.lsoa_code < other.lsoa_code
),

pairs as (
    select
        lsoa_code,
        other_lsoa_code,
        overlap_area
    from overlapping
    where overlap_area > 0.001 * smaller_area
)

select * from pairs

union all

select
    'all LSOAs' as lsoa_code,
    'their union' as other_lsoa_code,
    lsoa_area_total - union_area as overlap_area
from measured
where
    lsoa_area_total > 1.00001 * union_area
    and not exists (select 1 from pairs)
