{#- Disclosure control, primary suppression: fails with every published count (each column in
    the model's config.meta.disclosure.counts) from 1 to var disclosure_min_count - 1. Zero may
    be shown; a smaller count must be null (suppressed). One failing row per cell. -#}
{% test disclosure_no_small_counts(model) %}
{%- set spec = disclosure_spec(model) -%}
{%- if spec is none or not spec.counts %}
select null as count_column where false
{%- else %}
    {%- for count in spec.counts %}
select
    '{{ count }}' as count_column,
    cast({{ count }} as bigint) as published_value
from {{ model }}
where {{ count }} > 0 and {{ count }} < {{ var('disclosure_min_count') }}
        {{- '\nunion all' if not loop.last }}
    {%- endfor %}
{%- endif %}
{% endtest %}
