{#- Use the folder's schema name as it is (staging, intermediate, marts, reference) rather
    than dbt's default "<target schema>_<name>", so BI tools read marts.fct_* directly. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
