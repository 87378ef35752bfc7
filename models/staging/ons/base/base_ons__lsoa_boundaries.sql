-- One row per feature of lsoa_boundaries.*, transformed to EPSG:27700 and checked.
-- The file may be GeoJSON, GeoPackage or GeoParquet, so it is found by name, not read through
-- the source (which names the GeoJSON): depends_on: {{ source('ons', 'lsoa_boundaries') }}
with

transformed as (
    {{ boundary_features(required_raw_file('lsoa_boundaries.*'), {
        'lsoa_code': {
            'required': true, 'names': ['LSOA21CD', 'LSOA11CD', 'lsoa_code']},
        'lsoa_name': {'names': ['LSOA21NM', 'LSOA11NM', 'lsoa_name']},
    }) | indent(4) }}
),

checked as (
    select
        source_row_number,
        upper(lsoa_code) as lsoa_code,
        lsoa_name,
        source_crs,
        -- Generalised boundaries occasionally self-touch; repair rather than lose an area.
        st_makevalid({{ to_bng('raw_geom', 'source_crs') }}) as geom,
        {{ first_reject_reason([
            ('missing_lsoa_code', 'lsoa_code is null'),
            ('duplicate_lsoa_code', is_repeat_of_earlier_row(['upper(lsoa_code)'])),
            ('missing_geometry', 'raw_geom is null or st_isempty(raw_geom)'),
            ('unsupported_geometry_type',
                "st_geometrytype(raw_geom) not in ('POLYGON', 'MULTIPOLYGON')"),
        ]) }} as reject_reason
    from transformed
)

select * from checked
