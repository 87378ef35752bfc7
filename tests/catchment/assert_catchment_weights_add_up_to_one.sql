-- Invariant: under every method, a school's weights w(l, s) add up to 1.
select
    urn,
    method,
    sum(weight) as total_weight
from {{ ref('int_catchment_flows') }}
group by urn, method
having abs(sum(weight) - 1) > 1e-9
