-- One row per school-aged violent offender and school they are attributed to (the
-- temporary table attributed_person_schools), with the share of the person the school
-- gets: the whole person for a direct outcome, the shares of their home and age when
-- shared out. The pipeline keeps no such person-by-school table
-- (int_violent_offender_attribution_outcomes); the evaluation needs one to score each
-- person against their true school, so it is made here, in a temporary table, and gone
-- when the evaluation's connection closes. Run by scripts/offender_attribution_evaluation.py
-- before offender_attribution_persons.
create or replace temp table attributed_person_schools as
with

outcomes as (
    select * from {{ ref('int_violent_offender_attribution_outcomes') }}
),

shares as (
    select * from {{ ref('int_violent_offender_school_shares') }}
)

select
    person_id,
    urn,
    outcome as attribution,
    1.0::double as share
from outcomes
where outcome = 'direct'
union all
select
    outcomes.person_id,
    shares.urn,
    outcomes.outcome as attribution,
    shares.share
from outcomes
inner join shares
    on
        outcomes.home_lsoa_code = shares.home_lsoa_code
        and outcomes.age_at_offence = shares.age_at_offence
where outcomes.outcome = 'shared'
