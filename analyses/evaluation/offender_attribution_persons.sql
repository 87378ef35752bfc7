-- One row per school-aged violent offender (the temporary table scored_persons): how the
-- attribution placed them (attributed_person_schools, offender_attribution_person_schools),
-- and their true school. `offender_truth` (person_id, urn) is the
-- generator's offender_schools.csv with the references pseudonymised, which
-- scripts/offender_attribution_evaluation.py registers before it runs this.
create or replace temp table scored_persons as
with

offenders as (
    select * from {{ ref('int_school_aged_violent_offenders') }}
),

attributed as (
    select * from attributed_person_schools
),

truth as (
    select * from offender_truth
),

attributions as (
    select
        person_id,
        any_value(attribution) as attribution,
        count(*) as schools
    from attributed
    group by person_id
)

select
    offenders.person_id,
    offenders.school_urn,
    truth.person_id is not null as is_matched,
    truth.urn as true_urn,
    coalesce(attributions.attribution, 'unattributed') as attribution,
    attributions.schools,
    attributed.share as true_school_share,
    case when attributed.urn is not null then 1 / attributions.schools end
        as true_school_equal_share
from offenders
left join truth
    on offenders.person_id = truth.person_id
left join attributions
    on offenders.person_id = attributions.person_id
left join attributed
    on
        offenders.person_id = attributed.person_id
        and truth.urn = attributed.urn
