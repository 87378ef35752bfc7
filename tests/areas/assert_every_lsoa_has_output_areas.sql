-- Invariant (warning): when output areas are given, every LSOA has at least one. An LSOA
-- without any (an OA file of another vintage, or cut short) has its offences at LSOA level
-- only, so the output-area level does not add up to the higher levels there. Returns each
-- such LSOA with the offences located in it.
{{ config(severity='warn') }}

with

counts as (
    select * from {{ ref('int_area_violence_counts') }}
),

lsoas_with_oas as (
    select distinct lsoa_code
    from counts
    where area_level = 'oa'
)

select
    counts.area_code as lsoa_code,
    counts.violent_offences
from counts
where
    counts.area_level = 'lsoa'
    and exists (select 1 from lsoas_with_oas)
    and counts.area_code not in (select lsoas_with_oas.lsoa_code from lsoas_with_oas)
