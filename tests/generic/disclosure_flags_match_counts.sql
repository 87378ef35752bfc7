{#- Disclosure control, flags: for every count in config.meta.disclosure.counts the model has
    a `<count>_suppressed` flag that is never null, true exactly when the count is null. Fails
    with every cell where a flag says suppressed beside a published value, says published
    beside a null, or is missing. -#}
{% test disclosure_flags_match_counts(model) %}
{%- set spec = disclosure_spec(model) -%}
{%- if spec is none or not spec.counts %}
select null as count_column where false
{%- else %}
    {%- for count in spec.counts %}
select
    '{{ count }}' as count_column,
    cast({{ count }} as bigint) as published_value,
    {{ count }}_suppressed as suppressed
from {{ model }}
where {{ count }}_suppressed is null
    or {{ count }}_suppressed != ({{ count }} is null)
        {{- '\nunion all' if not loop.last }}
    {%- endfor %}
{%- endif %}
{% endtest %}
