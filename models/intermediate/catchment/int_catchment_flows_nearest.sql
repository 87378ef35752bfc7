-- One row per school recruiting locally, segment and LSOA under the `nearest` baseline: every
-- LSOA's children of the segment go to the candidate school nearest its centroid (the lowest
-- URN on a tie), and each school's pupils are shared among the LSOAs it is nearest to in
-- proportion to their children. A school nearest to no LSOA has all its pupils in its own.
-- A baseline to show what the gravity model adds, not a method to publish.
with

pairs as (
    select * from {{ ref('int_catchment_candidate_pairs') }}
),

children as (
    select * from {{ ref('int_lsoa_children_by_segment') }}
),

rolls as (
    select * from {{ ref('int_school_rolls_by_segment') }}
    where catchment_kind = 'local'
),

schools as (
    select * from {{ ref('int_school_rolls') }}
),

nearest_school as (
    select
        pairs.segment,
        pairs.lsoa_code,
        arg_min(pairs.urn, (pairs.centroid_distance_km, pairs.urn)) as urn
    from pairs
    group by pairs.segment, pairs.lsoa_code
),

allocated as (
    select
        nearest_school.segment,
        nearest_school.urn,
        nearest_school.lsoa_code,
        children.children
    from nearest_school
    inner join children
        on
            nearest_school.lsoa_code = children.lsoa_code
            and nearest_school.segment = children.segment
    where children.children > 0
),

{{ share_pupils_by_children('allocated') }}

select * from final
