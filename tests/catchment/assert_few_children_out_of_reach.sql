-- Invariant (warning): almost every child lives within reach of a school of their age group.
-- The children of an LSOA that no school may draw from (beyond var catchment_max_distance_km
-- of every school) are left out of the gravity model's origins; this makes that loss visible
-- when it passes 0.5% of a segment's children. A warning: a real, very rural area can be
-- beyond the cut-off, and the remedy (a larger cut-off) is the analyst's choice.
{{ config(severity='warn') }}

with

children as (
    select * from {{ ref('int_lsoa_children_by_segment') }}
),

inputs as (
    select * from {{ ref('int_catchment_gravity_inputs') }}
),

reached as (
    select distinct
        segment,
        lsoa_code
    from inputs
),

shares as (
    select
        children.segment,
        sum(children.children) filter (where reached.lsoa_code is null)
        / sum(children.children) as share_out_of_reach
    from children
    left join reached
        on children.segment = reached.segment and children.lsoa_code = reached.lsoa_code
    group by children.segment
)

select *
from shares
where share_out_of_reach > 0.005
