{#- Disclosure control, derived measures: a rate, share or score derived from a count (each
    column of config.meta.disclosure.derived, with the counts it comes from) must be null
    wherever one of those counts is suppressed; a rate beside a suppressed count gives the
    count back. Fails with every such cell. -#}
{% test disclosure_derived_suppressed(model) %}
{%- set spec = disclosure_spec(model) -%}
{%- if spec is none or not spec.derived %}
select null as derived_column where false
{%- else %}
    {%- for column, counts in spec.derived.items() %}
select
    '{{ column }}' as derived_column,
    cast({{ column }} as varchar) as published_value
from {{ model }}
where {{ column }} is not null and ({{ disclosure_flags_any(counts) }})
        {{- '\nunion all' if not loop.last }}
    {%- endfor %}
{%- endif %}
{% endtest %}
