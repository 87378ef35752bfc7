-- Invariant: the youth-involved counts have a row for every area of the all-violence counts
-- and for no other (fct_area_violence joins them by area_level and area_code). Returns each
-- area that one has and the other lacks.
with

counts as (
    select * from {{ ref('int_area_violence_counts') }}
),

youth_counts as (
    select * from {{ ref('int_area_youth_violence_counts') }}
)

select
    coalesce(counts.area_level, youth_counts.area_level) as area_level,
    coalesce(counts.area_code, youth_counts.area_code) as area_code,
    counts.area_code is null as is_missing_from_counts,
    youth_counts.area_code is null as is_missing_from_youth_counts
from counts
full outer join youth_counts
    on
        counts.area_level = youth_counts.area_level
        and counts.area_code = youth_counts.area_code
where counts.area_code is null or youth_counts.area_code is null
