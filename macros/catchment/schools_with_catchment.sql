{#- The schools the exposure measures cover: the schools of `schools` (int_school_rolls) with
    a catchment, that is a row in `flows` (int_catchment_flows_selected). The body of a CTE
    with the columns `columns` of `schools`. -#}
{% macro schools_with_catchment(schools, flows, columns=['urn']) -%}
    select
        {%- for column in columns %}
        {{ schools }}.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ schools }}
    where exists (
        select 1
        from {{ flows }}
        where {{ flows }}.urn = {{ schools }}.urn
    )
{%- endmacro %}
