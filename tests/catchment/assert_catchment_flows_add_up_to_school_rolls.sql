-- Invariant: under every method, a school's expected pupils add up to its roll (within 0.5%).
with

flows as (
    select * from {{ ref('int_catchment_flows') }}
),

rolls as (
    select * from {{ ref('int_school_rolls') }}
),

totals as (
    select
        urn,
        method,
        sum(expected_pupils) as expected_pupils
    from flows
    group by urn, method
)

select
    totals.urn,
    totals.method,
    totals.expected_pupils,
    rolls.pupils_on_roll
from totals
inner join rolls
    on totals.urn = rolls.urn
where abs(totals.expected_pupils / rolls.pupils_on_roll - 1) > 0.005
