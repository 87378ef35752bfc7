-- One row per row of the police.uk street-level crime files in raw_dir/police_uk (open-data
-- mode; no rows for a force extract), in file then row order, in the shape of offences.csv
-- as text, so that base_police__offences types, locates, checks and rejects them exactly as
-- it does a force's rows:
--   crime_ref       police.uk's Crime ID; blank for anti-social behaviour (and every row of a
--                   pre-2013 file), so a key made from the row's content and its occurrence
--                   among identical rows: the same files give the same keys
--   ho_offence_code POLICE.UK/<CRIME TYPE> (seed police_uk_crime_types classifies it)
--   committed_from  the first of the Month at midnight (police.uk gives months only), and
--   recorded_at     the same: int_analysis_window sees month precision and sets the window
--                   from the months present
--   easting, northing  Longitude and Latitude transformed to British National Grid (to
--                   0.1 m), or a pre-2013 file's Easting and Northing; empty or 0 is not located
-- police.uk's own LSOA code and force are kept for the checks against it.
{%- set files = police_uk_files() %}
{%- set layouts = [] %}
{%- for path in files %}
    {%- do layouts.append(police_uk_layout(path)) %}
{%- endfor %}
{%- set names = [] %}
{%- for layout in layouts %}
    {%- for name in layout.names if name not in names %}{% do names.append(name) %}{% endfor %}
{%- endfor %}
{#- Each column as trimmed text, null where empty or where no file has it. -#}
{%- set column = {} %}
{%- for name in ['Crime ID', 'Month', 'Crime type', 'Longitude', 'Latitude', 'Easting',
    'Northing', 'Location', 'LSOA code', 'Falls within', 'Last outcome category'] %}
    {%- do column.update({name: "nullif(trim(\"" ~ name ~ "\"), '')" if name in names
        else 'cast(null as varchar)'}) %}
{%- endfor %}
with

read_rows as (
    select
        row_number() over () as read_row_number,
        {{ 'filename' if files else 'cast(null as varchar)' }} as source_file,
        {{ column['Crime ID'] }} as crime_id,
        {{ police_uk_month(column['Month']) }} as crime_month,
        {{ column['Crime type'] }} as crime_type,
        {{ column['Longitude'] }} as longitude,
        {{ column['Latitude'] }} as latitude,
        {{ column['Easting'] }} as easting_bng,
        {{ column['Northing'] }} as northing_bng,
        {{ column['Location'] }} as location_text,
        {{ column['LSOA code'] }} as police_lsoa_code,
        {{ column['Falls within'] }} as falls_within,
        {{ column['Last outcome category'] }} as outcome
    {%- if files %}
        from read_csv(
            [{% for path in files %}{{ sql_string(path) }}{{ ", " if not loop.last }}{% endfor %}],
            header = true, all_varchar = true, union_by_name = true, filename = true,
            null_padding = true
        )
    {%- else %}
        -- a force extract: no police.uk files, no rows
        from (select 1 as no_file) as no_files
        where false
    {%- endif %}
),

hashed as (
    select
        *,
        -- The key of a row without a Crime ID: its content, and which of identical rows it is.
        md5(concat_ws(
            '|', crime_month, crime_type, longitude, latitude, easting_bng, northing_bng,
            location_text, police_lsoa_code, falls_within, outcome
        )) as content_hash
    from read_rows
),

keyed as (
    select
        *,
        row_number() over (
            partition by crime_id is null, content_hash order by read_row_number
        ) as occurrence,
        try_cast(longitude as double) as lon,
        try_cast(latitude as double) as lat
    from hashed
),

projected as (
    select
        *,
        case
            when lon is not null and lat is not null and not (lon = 0 and lat = 0)
                then {{ to_bng('st_point(lon, lat)', "'EPSG:4326'") }}
        end as bng_point
    from keyed
),

final as (
    select
        read_row_number as source_row_number,
        cast(null as varchar) as malformed_reason,
        source_file,
        coalesce(crime_id, 'police.uk-' || left(content_hash, 16) || '-' || occurrence)
            as crime_ref,
        {{ police_uk_offence_code('crime_type') }} as ho_offence_code,
        crime_type as offence_title,
        crime_month || '-01 00:00' as committed_from,
        cast(null as varchar) as committed_to,
        crime_month || '-01 00:00' as recorded_at,
        case
            when bng_point is not null then cast(round(st_x(bng_point), 1) as varchar)
            -- a longitude that is not a number stays as it is, for staging to reject
            when longitude is not null and lon is null then longitude
            when easting_bng is not null and easting_bng not in ('0', '0.0') then easting_bng
        end as easting,
        case
            when bng_point is not null then cast(round(st_y(bng_point), 1) as varchar)
            when latitude is not null and lat is null then latitude
            when northing_bng is not null and northing_bng not in ('0', '0.0') then northing_bng
        end as northing,
        cast(null as varchar) as location_type,
        cast(null as varchar) as knife_flag,
        cast(null as varchar) as proactive_flag,
        cast(null as varchar) as status,
        police_lsoa_code,
        falls_within
    from projected
)

select * from final
order by source_row_number
