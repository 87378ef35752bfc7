-- One row per attribution outcome (docs offender_attribution__outcome): how many
-- school-aged violent offenders ended each way. Every person of
-- int_school_aged_violent_offenders has exactly one outcome
-- (int_violent_offender_attribution_outcomes), and every outcome has a row, zero
-- included, so a person the attribution could not place is counted, not lost (a test
-- checks the total).
with

person_outcomes as (
    select * from {{ ref('int_violent_offender_attribution_outcomes') }}
),

outcomes as (
    select
        outcome_list.outcome_order,
        outcome_list.outcome
    from (
        values
        (1, 'direct'),
        (2, 'shared'),
        (3, 'unattributed_no_home'),
        (4, 'unattributed_no_school_in_reach')
    ) as outcome_list (outcome_order, outcome)
),

counts as (
    select
        outcome,
        count(*) as persons,
        count(*) filter (where has_unused_school_urn) as persons_with_unused_school_urn
    from person_outcomes
    group by outcome
),

final as (
    select
        -- ids
        outcomes.outcome,

        -- measures
        coalesce(counts.persons, 0) as persons,
        -- nullif: with no offenders at all, no share rather than NaN.
        coalesce(counts.persons, 0)
        / nullif(sum(coalesce(counts.persons, 0)) over (), 0) as share_of_persons,
        coalesce(counts.persons_with_unused_school_urn, 0)
            as persons_with_unused_school_urn
    from outcomes
    left join counts
        on outcomes.outcome = counts.outcome
    order by outcomes.outcome_order
)

select * from final
