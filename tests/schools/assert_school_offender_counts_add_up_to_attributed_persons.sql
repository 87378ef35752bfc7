-- Invariant: the per-school counts add up to the persons attributed to schools (directly
-- or shared out): every attributed person lands, whole or in shares, on a school that
-- has a row.
with

counts as (
    select sum(school_aged_violent_offenders) as persons
    from {{ ref('int_school_violent_offender_counts') }}
),

attributed as (
    select count(*) as persons
    from {{ ref('int_violent_offender_attribution_outcomes') }}
    where outcome in ('direct', 'shared')
)

select
    counts.persons as counted,
    attributed.persons as attributed
from counts
cross join attributed
where abs(coalesce(counts.persons, 0) - attributed.persons) > 1e-6
