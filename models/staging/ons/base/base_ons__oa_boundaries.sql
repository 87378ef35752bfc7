-- One row per feature of oa_boundaries.* (optional: none when absent), transformed to
-- EPSG:27700 and checked. An output area's LSOA is the one the file names, when it is one of
-- the LSOA boundaries', else the LSOA its point on surface lies in (a file without the column,
-- or of another vintage); an output area in no LSOA is outside the study area, so a national
-- file can be handed over as it is. Found by name like the LSOA file:
-- depends_on: {{ source('ons', 'oa_boundaries') }}
with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

transformed as (
    {{ boundary_features(find_raw_file('oa_boundaries.*'), {
        'oa_code': {'required': true, 'names': ['OA21CD', 'OA11CD', 'oa_code']},
        'named_lsoa_code': {'names': ['LSOA21CD', 'LSOA11CD', 'lsoa_code']},
    }) | indent(4) }}
),

projected as (
    select
        source_row_number,
        upper(oa_code) as oa_code,
        upper(named_lsoa_code) as named_lsoa_code,
        source_crs,
        raw_geom,
        case
            when st_geometrytype(raw_geom) in ('POLYGON', 'MULTIPOLYGON')
                then st_makevalid({{ to_bng('raw_geom', 'source_crs') }})
        end as geom
    from transformed
),

surface_points as (
    select
        source_row_number,
        st_x(st_pointonsurface(geom)) as x,
        st_y(st_pointonsurface(geom)) as y
    from projected
    where geom is not null and not st_isempty(geom)
),

located as (
    {{ locate_in_lsoas('surface_points', 'source_row_number', 'x', 'y') }}
),

with_lsoas as (
    select
        projected.*,
        coalesce(named_lsoas.lsoa_code, located.lsoa_code) as lsoa_code
    from projected
    left join lsoas as named_lsoas
        on projected.named_lsoa_code = named_lsoas.lsoa_code
    left join located
        on projected.source_row_number = located.source_row_number
),

checked as (
    select
        source_row_number,
        oa_code,
        lsoa_code,
        named_lsoa_code,
        source_crs,
        geom,
        {{ first_reject_reason([
            ('missing_oa_code', 'oa_code is null'),
            ('duplicate_oa_code', is_repeat_of_earlier_row(['oa_code'])),
            ('missing_geometry', 'raw_geom is null or st_isempty(raw_geom)'),
            ('unsupported_geometry_type', 'geom is null'),
            ('outside_study_area', 'lsoa_code is null'),
        ]) }} as reject_reason
    from with_lsoas
)

select * from checked
