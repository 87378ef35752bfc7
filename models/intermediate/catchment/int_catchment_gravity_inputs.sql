-- One row per candidate pair (school, segment, LSOA) with the two margins the gravity model
-- is balanced to. Destinations: the school's pupils of the segment. Origins: the LSOA's
-- children of the segment's ages, scaled so that in each segment they add up to the pupils of
-- the schools modelled (some children attend no school here: independent schools outside the
-- area, colleges, home education; the scaling assumes that share is the same everywhere).
-- Pairs whose LSOA has no children of the segment carry no flow and are left out.
with

pairs as (
    select * from {{ ref('int_catchment_candidate_pairs') }}
),

rolls as (
    select * from {{ ref('int_school_rolls_by_segment') }}
    where catchment_kind = 'local'
),

children as (
    select * from {{ ref('int_lsoa_children_by_segment') }}
),

reachable_children as (
    -- Children of LSOAs that some school of the segment may draw from.
    select
        children.segment,
        sum(children.children) as children
    from children
    where
        exists (
            select 1
            from pairs
            where pairs.lsoa_code = children.lsoa_code and pairs.segment = children.segment
        )
    group by children.segment
),

modelled_pupils as (
    select
        segment,
        sum(pupils) as pupils
    from rolls
    group by segment
),

origin_ids as (
    -- Integer keys of the two margins: every balancing round joins on them, and integer
    -- hash joins are about twice as fast as joins on (segment, code) text pairs.
    select
        segment,
        lsoa_code,
        row_number() over (order by segment, lsoa_code) as origin_id
    from children
),

destination_ids as (
    select
        segment,
        urn,
        row_number() over (order by segment, urn) as destination_id
    from rolls
),

final as (
    select
        pairs.segment,
        pairs.urn,
        pairs.lsoa_code,
        origin_ids.origin_id,
        destination_ids.destination_id,
        pairs.distance_km,
        children.children * modelled_pupils.pupils / reachable_children.children
            as origin_children,
        rolls.pupils
    from pairs
    inner join rolls
        on pairs.urn = rolls.urn and pairs.segment = rolls.segment
    inner join children
        on pairs.lsoa_code = children.lsoa_code and pairs.segment = children.segment
    inner join origin_ids
        on pairs.lsoa_code = origin_ids.lsoa_code and pairs.segment = origin_ids.segment
    inner join destination_ids
        on pairs.urn = destination_ids.urn and pairs.segment = destination_ids.segment
    inner join reachable_children
        on pairs.segment = reachable_children.segment
    inner join modelled_pupils
        on pairs.segment = modelled_pupils.segment
    where children.children > 0
)

select * from final
