{#- Disclosure control, rounding: fails with every published count (config.meta.disclosure
    .counts) that is not a multiple of var disclosure_rounding. -#}
{% test disclosure_counts_rounded(model) %}
{%- set spec = disclosure_spec(model) -%}
{%- if spec is none or not spec.counts %}
select null as count_column where false
{%- else %}
    {%- for count in spec.counts %}
select
    '{{ count }}' as count_column,
    cast({{ count }} as bigint) as published_value
from {{ model }}
where {{ count }} % {{ var('disclosure_rounding') }} != 0
        {{- '\nunion all' if not loop.last }}
    {%- endfor %}
{%- endif %}
{% endtest %}
