-- One row per counted violent offence located in an LSOA that has output areas (none without
-- OA boundaries): the output area it lies in, chosen among its own LSOA's output areas only,
-- so that an LSOA's output areas always add up to it. A point on a boundary shared by two
-- output areas goes to the lower code (as locate_in_lsoas does); a point in none of them (a
-- sliver left by generalised boundaries) to the nearest.
with

offences as (
    select * from {{ ref('int_violent_offences_counted') }}
    where lsoa_code is not null
),

oas as (
    select * from {{ ref('stg_ons__oa_boundaries') }}
),

candidates as (
    select
        offences.crime_ref,
        oas.oa_code,
        st_intersects(oas.geom, offences.geom) as is_inside,
        st_distance(oas.geom, offences.geom) as distance_m
    from offences
    inner join oas
        on offences.lsoa_code = oas.lsoa_code
),

final as (
    select
        crime_ref,
        coalesce(
            min(oa_code) filter (where is_inside),
            first(oa_code order by distance_m, oa_code)
        ) as oa_code,
        bool_or(is_inside) as is_inside_polygon
    from candidates
    group by crime_ref
)

select * from final
