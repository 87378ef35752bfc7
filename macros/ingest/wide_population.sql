{#- The rows of the ONS mid-year estimate wide population form (one row per LSOA: a code,
    optional name and total, and one column per age 0..89 plus 90 or 90+), unpivoted to one
    row per source row and age, with the columns source_row_number, lsoa_code,
    total_population, age (0..90) and population, as text like raw_rows gives them.

    Unpivoted with two unnests of lists taken in step (what DuckDB's UNPIVOT is rewritten to),
    because UNPIVOT drops empty values, which must be rejected, not lost, and sqlfluff cannot
    parse it. A missing age column is a build error naming it. -#}
{% macro wide_population_rows(file_label, path, source_relation, lsoa_code_names) -%}
    {%- set available = raw_file_columns(path) -%}
    {%- set age_columns = [] -%}
    {%- for age in range(91) -%}
        {%- set names = [age ~ '', '90+'] if age == 90 else [age ~ ''] -%}
        {%- set found = match_raw_column(available, names) -%}
        {%- if execute and found is none -%}
            {{ exceptions.raise_compiler_error(
                file_label ~ " (wide form): required age column '" ~ names | join("' or '")
                ~ "' is missing (the file has " ~ available | join(', ') ~ ")."
            ) }}
        {%- endif -%}
        {%- do age_columns.append(found) -%}
    {%- endfor -%}
    select
        source_row_number,
        lsoa_code,
        total_population,
        unnest(range(0, 91)) as age,
        unnest(population_texts) as population
    from (
        select
            row_number() over () as source_row_number,
            {{- raw_select_list(file_label, path, {
                'lsoa_code': {'required': true, 'names': lsoa_code_names},
                'total_population': {'names': ['total', 'all ages', 'total_population']},
            }) | indent(8) }},
            [
                {%- for column in age_columns %}
                nullif(trim(cast("{{ column }}" as varchar)), ''){{ "," if not loop.last }}
                {%- endfor %}
            ] as population_texts
        from {{ source_relation }}
    )
{%- endmacro %}
