{#- A select list in fct_data_quality's column order (source, check_name, breakdown,
    rows_counted, denominator, share, threshold, threshold_kind, detail): every argument but
    check_name is a SQL expression. -#}
{% macro quality_row(source, check_name, breakdown, rows_counted, denominator, threshold='null',
    threshold_kind='null', detail='null') -%}
    select
        {{ source }} as source,
        '{{ check_name }}' as check_name,
        cast({{ breakdown }} as varchar) as breakdown,
        cast({{ rows_counted }} as bigint) as rows_counted,
        cast({{ denominator }} as bigint) as denominator,
        cast({{ rows_counted }} as double) / nullif({{ denominator }}, 0) as share,
        cast({{ threshold }} as double) as threshold,
        cast({{ threshold_kind }} as varchar) as threshold_kind,
        cast({{ detail }} as varchar) as detail
{%- endmacro %}
