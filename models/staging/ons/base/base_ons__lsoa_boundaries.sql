-- One row per feature of lsoa_boundaries.*, transformed to EPSG:27700 and checked.
-- The file may be GeoJSON, GeoPackage or GeoParquet, so it is found by name, not read through
-- the source (which names the GeoJSON): depends_on: {{ source('ons', 'lsoa_boundaries') }}
{%- set path = required_raw_file('lsoa_boundaries.*') %}
{%- set available = raw_file_columns(path) %}
{%- set geom_column = match_raw_column(
    available, ['geom', 'geometry', 'wkb_geometry', 'shape']) %}
{%- if execute and geom_column is none %}
    {{ exceptions.raise_compiler_error(
        path.split('/')[-1] ~ ': no geometry column found (looked for geom, geometry,'
        ~ ' wkb_geometry, shape; the file has ' ~ available | join(', ') ~ ').') }}
{%- endif %}
{#- GDAL and GeoParquet give a GEOMETRY column; Parquet without GeoParquet metadata gives WKB
    (BLOB) or, rarely, WKT text. #}
{%- set geom_type = raw_file_column_type(path, geom_column) or '' %}
{%- if geom_type == 'BLOB' %}
    {%- set geom_expression = 'st_geomfromwkb("' ~ geom_column ~ '")' %}
{%- elif geom_type == 'VARCHAR' %}
    {%- set geom_expression = 'st_geomfromtext("' ~ geom_column ~ '")' %}
{%- else %}
    {%- set geom_expression = 'cast("' ~ geom_column ~ '" as geometry)' %}
{%- endif %}

with

raw_boundaries as (
    select
        row_number() over () as source_row_number,
        {{ raw_select_list(path.split('/')[-1], available, {
        'lsoa_code': {
            'required': true, 'names': ['LSOA21CD', 'LSOA11CD', 'lsoa_code']},
        'lsoa_name': {'names': ['LSOA21NM', 'LSOA11NM', 'lsoa_name']},
        }) }},
        {{ geom_expression }} as raw_geom
    from {{ raw_reader(path) }}
),

transformed as (
    select
        source_row_number,
        upper(lsoa_code) as lsoa_code,
        lsoa_name,
        {{ detect_crs('raw_geom') }} as source_crs,
        raw_geom
    from raw_boundaries
),

checked as (
    select
        source_row_number,
        lsoa_code,
        lsoa_name,
        source_crs,
        -- Generalised boundaries occasionally self-touch; repair rather than lose an area.
        st_makevalid({{ to_bng('raw_geom', 'source_crs') }}) as geom,
        {{ first_reject_reason([
            ('missing_lsoa_code', 'lsoa_code is null'),
            ('duplicate_lsoa_code', is_repeat_of_earlier_row(['lsoa_code'])),
            ('missing_geometry', 'raw_geom is null or st_isempty(raw_geom)'),
            ('unsupported_geometry_type',
                "st_geometrytype(raw_geom) not in ('POLYGON', 'MULTIPOLYGON')"),
        ]) }} as reject_reason
    from transformed
)

select * from checked
