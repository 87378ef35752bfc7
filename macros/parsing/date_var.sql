{#- A date var as a SQL date literal, or null when the var is unset. -#}
{% macro date_var(name) -%}
    {%- set value = var(name) -%}
    {%- if value is none or value == '' -%}
        cast(null as date)
    {%- else -%}
        date '{{ value }}'
    {%- endif -%}
{%- endmacro %}
