{#- The body the per-count disclosure tests share: for each count of the model's
    config.meta.disclosure.counts, the cells where `condition` holds, one row each, with the
    count's name and published value. `condition` is SQL in which `{count}` stands for the
    count column (e.g. "{count} % 5 != 0"); `extra` adds columns the same way. A model with
    no counts declared gives no rows. `available` maps a count to its availability column;
    `{available}` in `condition` stands for it (true for a count without one). -#}
{% macro disclosure_failing_counts(model, condition, extra=none, available={}) -%}
    {%- set spec = disclosure_spec(model) -%}
    {%- if spec is none or not spec.counts %}
select null as count_column where false
    {%- else %}
        {%- for count in spec.counts %}
select
    '{{ count }}' as count_column,
    cast({{ count }} as bigint) as published_value
    {%- if extra %},
    {{ extra | replace('{count}', count) }}
    {%- endif %}
from {{ model }}
where {{ condition | replace('{count}', count)
    | replace('{available}', available.get(count) or 'true') }}
            {{- '\nunion all' if not loop.last }}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}
