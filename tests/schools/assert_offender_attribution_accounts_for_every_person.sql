-- Invariant: the attribution outcomes account for every school-aged violent offender
-- exactly once (one outcome row per offender, and the summary's persons add up to them),
-- so no one is dropped without being counted.
with

offenders as (
    select count(*) as persons from {{ ref('int_school_aged_violent_offenders') }}
),

outcomes as (
    select
        count(*) as persons,
        count(distinct person_id) as distinct_persons
    from {{ ref('int_violent_offender_attribution_outcomes') }}
),

summary as (
    select sum(persons) as persons
    from {{ ref('int_violent_offender_attribution_summary') }}
)

select
    offenders.persons as offenders,
    outcomes.persons as outcome_rows,
    outcomes.distinct_persons as outcome_persons,
    summary.persons as summary_persons
from offenders
cross join outcomes
cross join summary
where
    outcomes.persons != offenders.persons
    or outcomes.distinct_persons != offenders.persons
    or summary.persons != offenders.persons
