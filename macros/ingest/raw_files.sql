{#- Reading the extract files named in ../shared/extract-contract.md from var('raw_dir').

    The contract lets a force hand over files with extra columns, any column order, any case,
    and (for GIAS and the ONS files) one of several column names. These macros find the columns
    that are really there, so a staging model selects them by their canonical names and a
    missing required column fails the build with a message naming the file and the column. -#}

{#- var('raw_dir'), else SCHOOL_EXPOSURE_RAW_DIR, else data/raw. The sources' YAML repeats this
    expression because dbt renders it before project macros exist. -#}
{% macro raw_dir() -%}
    {{ return(var('raw_dir') or env_var('SCHOOL_EXPOSURE_RAW_DIR', 'data/raw')) }}
{%- endmacro %}


{% macro raw_path(file_name) -%}
    {{ raw_dir() | replace('\\', '/') }}/{{ file_name }}
{%- endmacro %}


{#- The path of the first file matching `pattern` (a glob) in raw_dir, or none. -#}
{% macro find_raw_file(pattern) -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set result = run_query(
        "select file from glob('" ~ raw_path(pattern) ~ "') order by file limit 1"
    ) -%}
    {{ return(result.columns[0].values()[0] if result.rows | length > 0 else none) }}
{%- endmacro %}


{#- The DuckDB table function that reads a raw file: CSV as text (bad values must reach the
    rejects models, not fail the read), spatial formats through GDAL or Parquet. -#}
{% macro raw_reader(path) -%}
    {%- if path is none -%}
        {#- parse time, before any file is looked for -#}
        (select 1)
    {%- elif path.endswith('.csv') or path.endswith('.csv.gz') -%}
        read_csv('{{ path }}', all_varchar = true, header = true, null_padding = true)
    {%- elif path.endswith('.parquet') -%}
        read_parquet('{{ path }}')
    {%- else -%}
        st_read('{{ path }}')
    {%- endif -%}
{%- endmacro %}


{#- Lower-cased column names of a raw file, as a list (empty at parse time). -#}
{% macro raw_file_columns(path) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set result = run_query("describe select * from " ~ raw_reader(path)) -%}
    {{ return(result.columns[0].values() | map('lower') | list) }}
{%- endmacro %}


{#- The DuckDB type of one column of a raw file, upper case (none at parse time). -#}
{% macro raw_file_column_type(path, column) -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set result = run_query("describe select * from " ~ raw_reader(path)) -%}
    {%- for row in result.rows -%}
        {%- if row[0] | lower == column | lower -%}{{ return(row[1] | upper) }}{%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}


{#- The column of `available` that matches one of `candidates` (names, or regular expressions
    starting with ^, compared lower-case), or none. -#}
{% macro match_raw_column(available, candidates) -%}
    {%- for candidate in candidates -%}
        {%- for column in available -%}
            {%- if (candidate.startswith('^') and modules.re.match(candidate, column))
                or column == candidate | lower -%}
                {{ return(column) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}


{#- A select list giving every canonical column of a raw file as trimmed text (empty -> null).
    `columns` maps a canonical name to {'required': bool, 'names': [candidates]}; candidates
    default to the canonical name itself. A missing optional column becomes null. -#}
{% macro raw_select_list(file_label, path, columns) -%}
    {%- set available = raw_file_columns(path) -%}
    {%- for canonical, spec in columns.items() -%}
        {%- set found = match_raw_column(available, spec.get('names', [canonical])) -%}
        {%- if execute and found is none and spec.get('required', false) -%}
            {{ exceptions.raise_compiler_error(
                file_label ~ ": required column '" ~ canonical ~ "' is missing (looked for "
                ~ spec.get('names', [canonical]) | join(', ') ~ "; the file has "
                ~ available | join(', ') ~ ")."
            ) }}
        {%- endif %}
        {%- if found is none %}
        cast(null as varchar) as {{ canonical }}
        {%- else %}
        nullif(trim(cast("{{ found }}" as varchar)), '') as {{ canonical }}
        {%- endif -%}
        {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- The path of a required raw file, or a build error naming it. -#}
{% macro required_raw_file(pattern) -%}
    {%- set path = find_raw_file(pattern) -%}
    {%- if execute and path is none -%}
        {{ exceptions.raise_compiler_error(
            "Required extract file " ~ pattern ~ " not found in raw_dir '" ~ raw_dir()
            ~ "' (set SCHOOL_EXPOSURE_RAW_DIR or --vars 'raw_dir: ...')."
        ) }}
    {%- endif -%}
    {{ return(path) }}
{%- endmacro %}


{#- The rows of a raw CSV file, numbered in file order, with its canonical columns as text.
    An optional file that is absent gives no rows (and the same columns); a required one that
    is absent fails the build with a message naming it. -#}
{% macro raw_rows(file_name, source_relation, columns, required=true) -%}
    {%- set path = required_raw_file(file_name) if required else find_raw_file(file_name) -%}
    {%- if execute and path is none %}
    -- {{ file_name }} is optional and absent from the raw directory: no rows.
    select
        cast(null as bigint) as source_row_number,
        {%- for canonical in columns %}
        cast(null as varchar) as {{ canonical }}{{ "," if not loop.last }}
        {%- endfor %}
    where false
    {%- else %}
    select
        row_number() over () as source_row_number,
        {{ raw_select_list(file_name, path, columns) | indent(4) }}
    from {{ source_relation }}
    {%- endif %}
{%- endmacro %}
