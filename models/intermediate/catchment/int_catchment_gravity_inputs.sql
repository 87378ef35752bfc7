-- One row per candidate pair (school, segment, LSOA) with the two margins the gravity model
-- is balanced to. Destinations: the school's pupils of the segment. Origins: the LSOA's
-- children of the segment's ages, scaled so that in each segment they add up to the pupils of
-- the schools modelled (some children attend no school here: independent schools outside the
-- area, colleges, home education; the scaling assumes that share is the same everywhere).
-- Pairs whose LSOA has no children of the segment carry no flow and are left out.
-- is_cross_authority marks a pair whose LSOA and school are in different local authorities
-- (the gravity model's boundary term), is_nearest_school the LSOA's nearest school of the
-- segment among its candidates (lowest URN on a tie; the model's nearest-school term).
with

pairs as not materialized (
    -- Read twice; a materialised copy of every pair would have to fit in memory.
    select * from {{ ref('int_catchment_candidate_pairs') }}
),

rolls as (
    select * from {{ ref('int_school_rolls_by_segment') }}
    where catchment_kind = 'local'
),

children as (
    select * from {{ ref('int_lsoa_children_by_segment') }}
),

schools as (
    select * from {{ ref('int_school_rolls') }}
),

lsoas as (
    select * from {{ ref('int_lsoa_centroids') }}
),

reached_lsoas as (
    -- LSOAs that some school of the segment may draw from.
    select distinct
        segment,
        lsoa_code
    from pairs
),

reached_children as (
    select children.*
    from children
    inner join reached_lsoas
        on
            children.segment = reached_lsoas.segment
            and children.lsoa_code = reached_lsoas.lsoa_code
    where children.children > 0
),

modelled_pupils as (
    select
        segment,
        {{ exact_sum('pupils') }} as pupils
    from rolls
    group by segment
),

segment_totals as (
    select
        reached_children.segment,
        {{ exact_sum('reached_children.children') }} as children,
        any_value(modelled_pupils.pupils) as pupils
    from reached_children
    inner join modelled_pupils
        on reached_children.segment = modelled_pupils.segment
    group by reached_children.segment
),

origins as (
    -- One row per segment and LSOA: the origin margin, with an integer key (every balancing
    -- round joins on it, and integer hash joins are about twice as fast as text pairs).
    select
        reached_children.segment,
        reached_children.lsoa_code,
        row_number() over (
            order by reached_children.segment, reached_children.lsoa_code
        ) as origin_id,
        reached_children.children * segment_totals.pupils / segment_totals.children
            as origin_children
    from reached_children
    inner join segment_totals
        on reached_children.segment = segment_totals.segment
),

destinations as (
    -- One row per segment and school: the destination margin, with an integer key.
    select
        segment,
        urn,
        row_number() over (order by segment, urn) as destination_id,
        pupils
    from rolls
),

final as (
    -- Two small tables joined to the pairs, so that neither join has to hold the pairs.
    select
        pairs.segment,
        pairs.urn,
        pairs.lsoa_code,
        origins.origin_id,
        destinations.destination_id,
        pairs.distance_km,
        coalesce(schools.lad_code != lsoas.lad_code, false) as is_cross_authority,
        row_number() over (
            partition by pairs.segment, pairs.lsoa_code order by pairs.distance_km, pairs.urn
        ) = 1 as is_nearest_school,
        origins.origin_children,
        destinations.pupils
    from pairs
    inner join origins
        on pairs.segment = origins.segment and pairs.lsoa_code = origins.lsoa_code
    inner join destinations
        on pairs.segment = destinations.segment and pairs.urn = destinations.urn
    inner join schools
        on pairs.urn = schools.urn
    inner join lsoas
        on pairs.lsoa_code = lsoas.lsoa_code
)

select * from final
