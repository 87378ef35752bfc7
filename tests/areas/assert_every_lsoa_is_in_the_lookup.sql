-- Invariant (warning): every LSOA of the boundaries has a row in lsoa_lookup.csv. An LSOA
-- without one is still an LSOA row of fct_area_violence, but its offences and residents are
-- in no MSOA, ward or local authority row (and a special school draws from no LSOA it
-- cannot place in an authority). Returns each such LSOA with what it leaves out of the
-- higher levels. A warning: the LSOA figures stand, and the remedy (a complete lookup of
-- the same vintage as the boundaries) is the analyst's.
{{ config(severity='warn') }}

with

counts as (
    select * from {{ ref('int_area_violence_counts') }}
    where area_level = 'lsoa'
)

select
    area_code as lsoa_code,
    violent_offences as offences_left_out_of_higher_levels,
    residents as residents_left_out_of_higher_levels
from counts
where lad_code is null
