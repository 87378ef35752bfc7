{#- The features of a boundary file as rows, for a base model's first CTE: source_row_number,
    the canonical text columns of `columns` (as raw_select_list), source_crs and raw_geom (as
    read). The file (`path`) may be GeoJSON, GeoPackage or GeoParquet, in EPSG:27700 or
    EPSG:4326 (detect_crs; to_bng transforms it later). A `path` of none, an optional file that
    is absent, gives no rows with the same columns. -#}
{% macro boundary_features(path, columns) -%}
    {%- if path is none %}
    select
        cast(null as bigint) as source_row_number,
        {%- for canonical in columns %}
        cast(null as varchar) as {{ canonical }},
        {%- endfor %}
        cast(null as varchar) as source_crs,
        cast(null as geometry) as raw_geom
    where false
    {%- else %}
    {%- set file_label = path.split('/')[-1] %}
    {%- set available = raw_file_columns(path) %}
    {%- set geom_column = match_raw_column(
        available, ['geom', 'geometry', 'wkb_geometry', 'shape']) %}
    {%- if execute and geom_column is none %}
        {{ exceptions.raise_compiler_error(
            file_label ~ ': no geometry column found (looked for geom, geometry,'
            ~ ' wkb_geometry, shape; the file has ' ~ available | join(', ') ~ ').') }}
    {%- endif %}
    {#- GDAL and GeoParquet give a GEOMETRY column; Parquet without GeoParquet metadata gives
        WKB (BLOB) or, rarely, WKT text. #}
    {%- set geom_type = raw_file_column_type(path, geom_column) or '' %}
    {%- if geom_type == 'BLOB' %}
        {%- set geom_expression = 'st_geomfromwkb("' ~ geom_column ~ '")' %}
    {%- elif geom_type == 'VARCHAR' %}
        {%- set geom_expression = 'st_geomfromtext("' ~ geom_column ~ '")' %}
    {%- else %}
        {%- set geom_expression = 'cast("' ~ geom_column ~ '" as geometry)' %}
    {%- endif %}
    select
        source_row_number,
        {%- for canonical in columns %}
        {{ canonical }},
        {%- endfor %}
        {{ detect_crs('raw_geom') }} as source_crs,
        raw_geom
    from (
        select
            row_number() over () as source_row_number,
            {{ raw_select_list(file_label, available, columns) }},
            {{ geom_expression }} as raw_geom
        from {{ raw_reader(path) }}
    )
    {%- endif %}
{%- endmacro %}
