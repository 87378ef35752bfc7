-- Invariant: no open school with pupils of school age drops out of the catchments: each has
-- flows under both modelled methods, and the selected catchment has every one of them.
with

rolls as (
    select distinct urn from {{ ref('int_school_rolls_by_segment') }}
),

flows as (
    select * from {{ ref('int_catchment_flows') }}
),

selected as (
    select distinct urn from {{ ref('int_catchment_flows_selected') }}
),

methods_per_school as (
    select
        urn,
        count(distinct method) filter (where method in ('gravity', 'nearest')) as methods
    from flows
    group by urn
)

select rolls.urn
from rolls
left join methods_per_school
    on rolls.urn = methods_per_school.urn
left join selected
    on rolls.urn = selected.urn
where coalesce(methods_per_school.methods, 0) < 2 or selected.urn is null
