-- Invariant: the attribution outcomes account for every school-aged violent offender
-- exactly once (the summary's persons add up to the offenders, and its attributed
-- persons are those with rows in the attribution), so no one is dropped without being
-- counted.
with

offenders as (
    select count(*) as persons from {{ ref('int_school_aged_violent_offenders') }}
),

attributed as (
    select count(distinct person_id) as persons
    from {{ ref('int_violent_offenders_attributed_to_schools') }}
),

summary as (
    select
        sum(persons) as persons,
        sum(persons) filter (
            where outcome in ('direct', 'shared')
        ) as attributed_persons
    from {{ ref('int_violent_offender_attribution_summary') }}
)

select
    offenders.persons as offenders,
    attributed.persons as attributed,
    summary.persons as summary_persons,
    summary.attributed_persons as summary_attributed
from offenders
cross join attributed
cross join summary
where
    summary.persons != offenders.persons
    or summary.attributed_persons != attributed.persons
