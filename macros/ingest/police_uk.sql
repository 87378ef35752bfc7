{#- Open-data mode: police.uk's street-level crime files, read as they are published. -#}

{#- The folder of police.uk files in the raw directory, and the glob of its monthly files. -#}
{% macro police_uk_glob() -%}
    {{ return('police_uk/*-street.csv') }}
{%- endmacro %}


{#- Every police.uk street-level file in raw_dir/police_uk, in name (month) order. -#}
{% macro police_uk_files() -%}
    {%- if not execute or in_unit_test() -%}{{ return([]) }}{%- endif -%}
    {%- set result = run_query(
        "select file from glob(" ~ sql_string(raw_path(police_uk_glob())) ~ ") order by file"
    ) -%}
    {{ return(result.columns[0].values() | list) }}
{%- endmacro %}


{#- Where the offences come from: 'police_uk' when raw_dir holds police.uk files (open-data
    mode: no offence_persons.csv, offences from police.uk), else 'extract' (the force's
    offences.csv and offence_persons.csv). Both at once is an error: the build would count
    the same crimes twice. -#}
{% macro offence_source() -%}
    {%- if not execute or in_unit_test() -%}{{ return('extract') }}{%- endif -%}
    {%- set police_uk = police_uk_files() | length > 0 -%}
    {%- if police_uk and find_raw_file('offences.csv') is not none -%}
        {{ exceptions.raise_compiler_error(
            "raw_dir '" ~ raw_dir() ~ "' holds both offences.csv (a force extract) and"
            ~ " police.uk files in police_uk/: the same crimes would be counted twice. Keep"
            ~ " one: a force extract, or the police.uk files alone (open-data mode).") }}
    {%- endif -%}
    {{ return('police_uk' if police_uk else 'extract') }}
{%- endmacro %}


{#- police.uk's Month as YYYY-MM. A file opened and saved in Excel holds the month as Excel
    wrote the date it took it for: Jan-14, Jan-2014, 01/2014, 01/01/2014 or 2014-01-01; each
    is read back (a two-digit year is 20YY: police.uk starts in December 2010). Any other text
    is kept as it is, for staging to reject as unparseable_timestamp. Written without
    strptime, which crashed now and then (macro parse_timestamp). -#}
{% macro police_uk_month(month) -%}
    case
        when regexp_full_match({{ month }}, '\d{4}-(0[1-9]|1[0-2])') then {{ month }}
        when regexp_full_match({{ month }}, '\d{4}-(0[1-9]|1[0-2])-01') then left({{ month }}, 7)
        when regexp_full_match(
            {{ month }}, '(?i)(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)-(\d{2}|\d{4})'
        )
            then (case when length({{ month }}) = 6 then '20' else '' end)
                || split_part({{ month }}, '-', 2) || '-'
                || lpad(cast((strpos(
                    'janfebmaraprmayjunjulaugsepoctnovdec', lower(left({{ month }}, 3))
                ) + 2) // 3 as varchar), 2, '0')
        when regexp_full_match({{ month }}, '(01/)?(0[1-9]|1[0-2])/\d{4}')
            then right({{ month }}, 4) || '-' || left(right({{ month }}, 7), 2)
        else {{ month }}
    end
{%- endmacro %}


{#- The offence code staging gives a police.uk crime type, so that the force's Home Office
    codes and police.uk's types classify through one join: upper case, as staging makes every
    code. -#}
{% macro police_uk_offence_code(crime_type) -%}
    upper('police.uk/' || {{ crime_type }})
{%- endmacro %}


{#- How messages name the offence rows' file: offences.csv, or the police.uk files. -#}
{% macro offence_file_label() -%}
    {{ return('the police.uk files in police_uk/' if offence_source() == 'police_uk'
        else 'offences.csv') }}
{%- endmacro %}


{#- Every offence code the pipeline knows with its category: seed offence_classes (Home Office
    codes) and seed police_uk_crime_types (police.uk types, coded as police_uk_offence_code
    says). -#}
{% macro offence_classification() -%}
    select
        ho_offence_code,
        offence_title,
        category,
        is_serious_violence
    from {{ ref('offence_classes') }}
    union all
    select
        {{ police_uk_offence_code('crime_type') }} as ho_offence_code,
        crime_type as offence_title,
        category,
        is_serious_violence
    from {{ ref('police_uk_crime_types') }}
{%- endmacro %}


{#- The columns of one police.uk file's header, or a build error naming the file and what is
    missing, or what the file is instead (check_raw_file: a workbook, gzip data, lines ending
    in two ways). The current layout has Longitude and Latitude (WGS84), the pre-2013 one Easting
    and Northing (British National Grid) and no Crime ID. -#}
{% macro police_uk_layout(path) -%}
    {%- do check_raw_file(path, 'police.uk file ' ~ path.split('/')[-1]) -%}
    {%- set first_line = raw_csv_header_line(path).line -%}
    {%- set names = csv_header_names(first_line or '') -%}
    {%- set missing = [] -%}
    {%- for name in ['Month', 'Crime type'] if name not in names -%}
        {%- do missing.append(name) -%}
    {%- endfor -%}
    {%- set has_lon_lat = 'Longitude' in names and 'Latitude' in names -%}
    {%- set has_bng = 'Easting' in names and 'Northing' in names -%}
    {%- if not has_lon_lat and not has_bng -%}
        {%- do missing.append('Longitude and Latitude (or Easting and Northing)') -%}
    {%- endif -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "police.uk file " ~ path ~ " has no " ~ missing | join(', ') ~ " column: it is"
            ~ " not a police.uk street-level crime file as published (its header has: "
            ~ names | join(', ') ~ "). Download the street-level CSVs from"
            ~ " data.police.uk/data, or remove the file from police_uk/.") }}
    {%- endif -%}
    {{ return({
        'names': names,
        'crs': 'EPSG:4326' if has_lon_lat else 'EPSG:27700',
        'x': 'Longitude' if has_lon_lat else 'Easting',
        'y': 'Latitude' if has_lon_lat else 'Northing',
    }) }}
{%- endmacro %}


{#- The data lines of the police.uk files, counted whole (no delimiter, no quotes: nothing in a
    line can fail the count), blank lines and each file's header left out: what reconciles
    the rows staging read. -#}
{% macro police_uk_data_lines() -%}
    {%- set files = police_uk_files() -%}
    {%- if not files -%}{{ return(0) }}{%- endif -%}
    {%- set quoted = [] -%}
    {%- for path in files -%}{%- do quoted.append(sql_string(path)) -%}{%- endfor -%}
    {%- set result = run_query(
        "select count(*) from read_csv([" ~ quoted | join(', ') ~ "],"
        ~ " auto_detect = false, header = false, columns = {'line': 'VARCHAR'},"
        ~ " delim = chr(31), quote = '', escape = '', strict_mode = false,"
        ~ " max_line_size = 100000000) where trim(line, chr(13) || ' ') != ''"
    ) -%}
    {{ return(result.columns[0].values()[0] - files | length) }}
{%- endmacro %}
