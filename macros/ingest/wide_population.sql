{#- The rows of the ONS mid-year estimate wide population form (one row per LSOA: a code,
    optional name and total, and one column per age 0..89 plus 90 or 90+), unpivoted to one
    row per source row and age, with the columns source_row_number, malformed_reason,
    lsoa_code, total_population, age (0..90) and population, as text like raw_rows gives them.
    A malformed source row gives 91 rows, each with its reason, so it is rejected whole.

    Unpivoted with two unnests of lists taken in step (what DuckDB's UNPIVOT is rewritten to),
    because UNPIVOT drops empty values, which must be rejected, not lost, and sqlfluff cannot
    parse it. A missing age column is a build error naming it. -#}
{% macro wide_population_rows(file_label, source_relation, lsoa_code_names, available) -%}
    {%- set columns = {
        'lsoa_code': {'required': true, 'names': lsoa_code_names},
        'total_population': {'names': ['total', 'all ages', 'total_population']},
    } -%}
    {%- for age in range(91) -%}
        {%- set names = [age ~ '', '90+'] if age == 90 else [age ~ ''] -%}
        {%- if execute and match_raw_column(available, names) is none -%}
            {{ exceptions.raise_compiler_error(
                file_label ~ " (wide form): required age column '" ~ names | join("' or '")
                ~ "' is missing (the file has " ~ available | join(', ') ~ ").") }}
        {%- endif -%}
        {%- do columns.update({'age_' ~ age: {'required': true, 'names': names}}) -%}
    {%- endfor -%}
    select
        source_row_number,
        malformed_reason,
        lsoa_code,
        total_population,
        unnest(range(0, 91)) as age,
        unnest([
            {%- for age in range(91) %}
            age_{{ age }}{{ "," if not loop.last }}
            {%- endfor %}
        ]) as population
    from (
        {{ raw_rows(file_label, source_relation, columns) | indent(8) }}
    )
{%- endmacro %}
