{#- var priority_weights as a DuckDB list of structs, one per measure in the var's order:
    [{'measure': 'exposure_violence_rate', 'measure_order': 1, 'priority_weight': 0.4}, ...].
    A weight that is not a number of zero or more is a build error naming it. -#}
{% macro priority_weight_list() -%}
    {%- set items = [] -%}
    {%- for measure, weight in var('priority_weights').items() -%}
        {%- if weight is not number or weight < 0 -%}
            {{ exceptions.raise_compiler_error(
                "var priority_weights: the weight of " ~ measure ~ " is " ~ weight
                ~ "; each weight is a number of zero or more.") }}
        {%- endif -%}
        {%- do items.append("{'measure': " ~ sql_string(measure) ~ ", 'measure_order': "
            ~ loop.index ~ ", 'priority_weight': " ~ weight ~ "}") -%}
    {%- endfor -%}
    [{{ items | join(', ') }}]
{%- endmacro %}
