-- The ceiling of the shared attribution: the mean share its rule (schools teaching the age,
-- both ends) would give the true school if F were the true catchments (var truth_dir's
-- pupil_flows.csv). Run by scripts/offender_attribution_evaluation.py after
-- offender_attribution_persons.
with

schools as (
    select * from {{ ref('int_school_rolls') }}
),

offenders as (
    select * from {{ ref('int_school_aged_violent_offenders') }}
),

true_flows as (
    {{ truth_pupil_flows() | indent(4) }}
),

persons as (
    select
        scored_persons.person_id,
        scored_persons.true_urn,
        offenders.home_lsoa_code,
        offenders.age_at_offence
    from scored_persons
    inner join offenders
        on scored_persons.person_id = offenders.person_id
    where scored_persons.attribution = 'shared' and scored_persons.true_urn is not null
),

shares as (
    select
        persons.person_id,
        true_flows.urn = persons.true_urn as is_true_school,
        true_flows.pupils / sum(true_flows.pupils) over (partition by persons.person_id)
            as share
    from persons
    inner join true_flows
        on persons.home_lsoa_code = true_flows.lsoa_code
    inner join schools
        on true_flows.urn = schools.urn
    where
        true_flows.pupils > 0
        and persons.age_at_offence between schools.low_age and schools.high_age
)

select
    coalesce(sum(share) filter (where is_true_school), 0)
    / (select count(*) from persons) as mean_true_flow_share_true_school
from shares
