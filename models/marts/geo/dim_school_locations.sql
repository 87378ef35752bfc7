-- One row per school of fct_school_exposure: its GIAS point in EPSG:27700 and in longitude and
-- latitude (WGS84), for the map exports and the report. No figure: the school's measures stay
-- in fct_school_exposure, joined by URN.
with

schools as (
    select * from {{ ref('stg_gias__schools') }}
),

exposure as (
    select * from {{ ref('fct_school_exposure') }}
),

final as (
    select
        -- ids
        exposure.urn,

        -- attributes
        schools.easting,
        schools.northing,
        -- always_xy: x is longitude whatever the CRS's own axis order.
        st_x(st_transform(schools.geom, 'EPSG:27700', 'EPSG:4326', always_xy := true))
            as longitude,
        st_y(st_transform(schools.geom, 'EPSG:27700', 'EPSG:4326', always_xy := true))
            as latitude,

        -- geometry
        schools.geom
    from exposure
    inner join schools
        on exposure.urn = schools.urn
)

select * from final
order by urn
