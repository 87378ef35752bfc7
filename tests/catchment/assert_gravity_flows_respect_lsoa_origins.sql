-- Invariant: the gravity model's flows out of each LSOA add up to its (scaled) children of the
-- segment, within 1%, under every variant. School totals are met exactly; LSOA totals
-- converge over the balancing rounds (to well under 0.5% after the default 100 rounds on
-- the synthetic worlds).
with

inputs as (
    select * from {{ ref('int_catchment_gravity_inputs') }}
),

flows as (
    select * from {{ ref('int_catchment_flows_gravity') }}
    where not is_fallback
),

origins as (
    select distinct
        segment,
        lsoa_code,
        origin_children
    from inputs
),

outflows as (
    select
        segment,
        lsoa_code,
        variant,
        sum(expected_pupils) as expected_pupils
    from flows
    group by segment, lsoa_code, variant
),

variants as (
    select distinct variant from flows
)

select
    origins.segment,
    origins.lsoa_code,
    variants.variant,
    origins.origin_children,
    outflows.expected_pupils
from origins
cross join variants
left join outflows
    on
        origins.segment = outflows.segment
        and origins.lsoa_code = outflows.lsoa_code
        and variants.variant = outflows.variant
where abs(coalesce(outflows.expected_pupils, 0) / origins.origin_children - 1) > 0.01
