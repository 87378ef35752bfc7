-- The school-level scores of the attribution (after offender_attribution_persons): the
-- correlation of each school's attributed offenders with its true count, beside an equal
-- split among the same schools, for all offenders and for the shared ones only.
-- Run by scripts/offender_attribution_evaluation.py.
with

counts as (
    select * from {{ ref('int_school_violent_offender_counts') }}
),

attributed as (
    select * from attributed_person_schools
),

true_counts as (
    select
        true_urn as urn,
        count(*) as offenders,
        count(*) filter (where attribution = 'shared') as shared_offenders
    from scored_persons
    where true_urn is not null
    group by true_urn
),

with_schools as (
    select
        *,
        count(*) over (partition by person_id) as schools
    from attributed
),

equal_split as (
    select
        urn,
        sum(case when attribution = 'direct' then 1 else 1 / schools end) as offenders,
        sum(1 / schools) filter (where attribution = 'shared') as shared_offenders
    from with_schools
    group by urn
),

paired as (
    select
        counts.school_aged_violent_offenders as attributed,
        counts.shared_violent_offenders as attributed_shared,
        coalesce(equal_split.offenders, 0) as equal,
        coalesce(equal_split.shared_offenders, 0) as equal_shared,
        coalesce(true_counts.offenders, 0) as true_offenders,
        coalesce(true_counts.shared_offenders, 0) as true_shared
    from counts
    left join true_counts
        on counts.urn = true_counts.urn
    left join equal_split
        on counts.urn = equal_split.urn
)

select
    count(*) as schools,
    corr(attributed, true_offenders) as correlation_attributed,
    corr(equal, true_offenders) as correlation_equal,
    corr(attributed_shared, true_shared) as correlation_shared,
    corr(equal_shared, true_shared) as correlation_shared_equal
from paired
