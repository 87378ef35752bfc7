-- One row per school recruiting locally, segment it teaches, and LSOA it may draw pupils
-- from: the LSOAs whose centroid is within var catchment_max_distance_km (per phase) of the
-- school, found by DuckDB's spatial join (an R-tree), plus the school's own LSOA. Without the
-- cut-off (30/40 km, the whole demo region), the gravity model put 0.26% of primary and 0.17%
-- of secondary pupils beyond 8/16 km; pruning keeps the pairs, and every balancing round,
-- linear in the number of schools at national scale.
-- Var catchment_max_schools_per_lsoa can also keep, for each LSOA, only its nearest schools.
{%- set max_schools = var('catchment_max_schools_per_lsoa') or {} %}
with

rolls as (
    select * from {{ ref('int_school_rolls_by_segment') }}
    where catchment_kind = 'local'
),

schools as (
    select * from {{ ref('int_school_rolls') }}
),

lsoas as (
    select * from {{ ref('int_lsoa_centroids') }}
),

local_schools as (
    select
        rolls.urn,
        rolls.segment,
        rolls.distance_phase,
        schools.lsoa_code as school_lsoa_code,
        schools.geom
    from rolls
    inner join schools
        on rolls.urn = schools.urn
),

pairs_within_reach as (
    {%- for phase, max_km in var('catchment_max_distance_km').items() %}
        select
            local_schools.urn,
            local_schools.segment,
            lsoas.lsoa_code,
            st_distance(local_schools.geom, lsoas.geom) as distance_m,
            {{ max_schools.get(phase) or 'null' }} as max_schools
        from local_schools
        inner join lsoas
            on st_dwithin(local_schools.geom, lsoas.geom, {{ max_km * 1000 }})
        where local_schools.distance_phase = '{{ phase }}'
        {{- "\n        union all" if not loop.last }}
    {%- endfor %}
),

nearest_pairs as (
    select
        urn,
        segment,
        lsoa_code
    from pairs_within_reach
    qualify
        row_number() over (
            partition by segment, lsoa_code order by distance_m, urn
        ) <= coalesce(max_schools, 1e9)
    union
    select
        urn,
        segment,
        school_lsoa_code as lsoa_code
    from local_schools
),

final as (
    select
        nearest_pairs.urn,
        nearest_pairs.segment,
        nearest_pairs.lsoa_code,
        st_distance(local_schools.geom, lsoas.geom) / 1000 as centroid_distance_km,
        -- Root mean square distance from the LSOA's homes (see int_lsoa_centroids).
        sqrt(
            (st_distance(local_schools.geom, lsoas.geom) / 1000) ** 2
            + lsoas.home_spread_km ** 2
        ) as distance_km
    from nearest_pairs
    inner join local_schools
        on
            nearest_pairs.urn = local_schools.urn
            and nearest_pairs.segment = local_schools.segment
    inner join lsoas
        on nearest_pairs.lsoa_code = lsoas.lsoa_code
)

select * from final
