-- One row per school recruiting locally, segment it teaches, and LSOA it may draw pupils
-- from: every LSOA whose centroid lies within var catchment_max_distance_km (per phase) of the
-- school, found by DuckDB's spatial join, plus the school's own LSOA. Beyond the cut-off the
-- gravity model's distance decay leaves well under 1% of pupils, and pruning keeps the pairs
-- (and every balancing round) linear in the number of schools at national scale.
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
            lsoas.lsoa_code
        from local_schools
        inner join lsoas
            on st_dwithin(local_schools.geom, lsoas.geom, {{ max_km * 1000 }})
        where local_schools.distance_phase = '{{ phase }}'
        union
    {%- endfor %}
    select
        urn,
        segment,
        school_lsoa_code as lsoa_code
    from local_schools
),

final as (
    select
        pairs_within_reach.urn,
        pairs_within_reach.segment,
        pairs_within_reach.lsoa_code,
        st_distance(local_schools.geom, lsoas.geom) / 1000 as centroid_distance_km,
        -- Root mean square distance from the LSOA's homes (see int_lsoa_centroids).
        sqrt(
            (st_distance(local_schools.geom, lsoas.geom) / 1000) ** 2
            + lsoas.home_spread_km ** 2
        ) as distance_km
    from pairs_within_reach
    inner join local_schools
        on
            pairs_within_reach.urn = local_schools.urn
            and pairs_within_reach.segment = local_schools.segment
    inner join lsoas
        on pairs_within_reach.lsoa_code = lsoas.lsoa_code
)

select * from final
