{#- A date var as a SQL date literal, or null when the var is unset. -#}
{% macro date_var(name) -%}
    {%- set value = var(name) -%}
    {%- if value is none or value == '' -%}
        cast(null as date)
    {%- else -%}
        date '{{ value }}'
    {%- endif -%}
{%- endmacro %}


{#- The day the build treats as today: var reference_date, else the current date. Timestamps
    after it are rejected as future_timestamp; a fixed reference date makes a rebuild of old
    data reject exactly what it rejected before. -#}
{% macro reference_date() -%}
    {%- if var('reference_date', none) -%}
        date {{ sql_string(var('reference_date')) }}
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}
