-- Invariant (warning): every LSOA of the boundaries has residents in lsoa_population.csv. An
-- LSOA without population rows (a population file of another vintage, or cut short) has no
-- rate, its smoothed rate is the force-wide rate, and its children are no school's pupils.
-- Returns each such LSOA with the offences located in it.
{{ config(severity='warn') }}

with

counts as (
    select * from {{ ref('int_area_violence_counts') }}
    where area_level = 'lsoa'
)

select
    area_code as lsoa_code,
    violent_offences
from counts
where coalesce(residents, 0) = 0
