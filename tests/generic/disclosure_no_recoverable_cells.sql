{#- Disclosure control, differencing: in every group of config.meta.disclosure.groups (cells
    whose sum is a published or derivable total), a suppressed count must not be the only
    suppressed cell, or it is the total minus the published others. Fails with every group
    that has exactly one suppressed cell among two or more.

    A group of one cell is its own total: the model publishes that total, if at all, as a
    row of the same group (macro disclosure_control), so a lone cell there is not recoverable
    from this model. A total published only in another model is outside what this test sees:
    publish totals in the model of their parts.

    This is the usual group-by-group rule, not a full audit: with groups that overlap (the
    LSOAs of an MSOA, and of a ward), sums of several groups can in principle narrow a cell
    further; rounding every published count to var disclosure_rounding blurs such sums. -#}
{% test disclosure_no_recoverable_cells(model) %}
{%- set spec = disclosure_spec(model) -%}
{%- if spec is none or not spec.counts or not spec.groups %}
select null as count_column where false
{%- else %}
    {%- for count in spec.counts %}
        {%- set outer = loop %}
        {%- for group_name, group in spec.groups.items() %}
select
    '{{ count }}' as count_column,
    '{{ group_name }}' as group_name,
    cast(({{ group }}) as varchar) as group_value,
    count(*) as cells,
    count(*) filter (where {{ count }}_suppressed) as suppressed_cells
from {{ model }}
where ({{ group }}) is not null
group by ({{ group }})
having count(*) filter (where {{ count }}_suppressed) = 1 and count(*) > 1
            {{- '\nunion all' if not (loop.last and outer.last) }}
        {%- endfor %}
    {%- endfor %}
{%- endif %}
{% endtest %}
