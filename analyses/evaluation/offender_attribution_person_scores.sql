-- The person-level scores of the attribution (after offender_attribution_persons): persons,
-- those found in the truth, by attribution, and how often and how much the true school was
-- given. Run by scripts/offender_attribution_evaluation.py.
select
    count(*) as offenders,
    count(*) filter (where is_matched) as matched_offenders,
    count(*) filter (where attribution = 'direct') as direct,
    count(*) filter (where attribution = 'shared') as shared,
    count(*) filter (where attribution = 'unattributed') as unattributed,
    avg(cast(school_urn = true_urn as integer)) filter (
        where attribution = 'direct' and is_matched
    ) as direct_right,
    count(*) filter (where attribution = 'shared' and true_urn is not null) as shared_scored,
    avg(cast(true_school_share is not null as integer)) filter (
        where attribution = 'shared' and true_urn is not null
    ) as true_school_eligible,
    avg(schools) filter (where attribution = 'shared') as mean_eligible_schools,
    avg(coalesce(true_school_share, 0)) filter (
        where attribution = 'shared' and true_urn is not null
    ) as mean_share_true_school,
    avg(coalesce(true_school_equal_share, 0)) filter (
        where attribution = 'shared' and true_urn is not null
    ) as mean_equal_share_true_school
from scored_persons
