{#- The disclosure specification of a published model: its config.meta.disclosure, the one
    place that says which columns are counts, which are derived from them, and the groups
    whose totals are published or derivable. disclosure_control() reads it to suppress and
    round; the disclosure_* generic tests read the same to check the result, so the two can
    never disagree. The format is in the docs block disclosure__specification.

    disclosure_spec()          the current model's specification (in a model's SQL)
    disclosure_spec(relation)  the specification of the model built into that relation
                               (in a generic test, whose `model` is a relation)
    disclosure_spec(model_name='fct_x')
                               the specification of the model of that name (an
                               intermediate model applying its mart's control)

    A unit test compiles the model under the test's own node, which carries neither the model's
    meta nor the graph to look it up in: a unit test of a published model passes the
    specification as var unit_test_disclosure, by a YAML alias of the model's
    (`disclosure: &name` in the model, `unit_test_disclosure: *name` in the test's
    overrides.vars).

    Returns none at parse time (the graph and the YAML config are not known yet); at execution
    time it fails with a plain message when the model has no specification. -#}
{% macro disclosure_spec(relation=none, model_name=none) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if model_name is not none and model.resource_type != 'unit_test' -%}
        {%- set name = model_name -%}
        {%- set found = [] -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.name == model_name -%}
                {%- do found.append(node.config.meta.get('disclosure')) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set spec = found[0] if found else none -%}
    {%- elif relation is none -%}
        {%- set name = model.name -%}
        {%- set spec = config.meta_get('disclosure') -%}
        {%- if spec is none and model.resource_type == 'unit_test' -%}
            {%- set spec = var('unit_test_disclosure', none) -%}
        {%- endif -%}

    {%- else -%}
        {%- set name = relation.identifier -%}
        {%- set found = [] -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.alias == relation.identifier
                and node.schema == relation.schema -%}
                {%- do found.append(node.config.meta.get('disclosure')) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set spec = found[0] if found else none -%}
    {%- endif -%}
    {%- if spec is none -%}
        {{ exceptions.raise_compiler_error(
            name ~ ": no disclosure specification. A published model declares config.meta."
            ~ "disclosure (key, counts, derived, groups) in its YAML; see the docs block "
            ~ "disclosure__specification.") }}
    {%- endif -%}
    {%- for required in ['key', 'counts', 'derived', 'groups'] -%}
        {%- if spec.get(required) is none -%}
            {{ exceptions.raise_compiler_error(
                name ~ ": config.meta.disclosure." ~ required ~ " is missing (use [] or {}"
                ~ " for none).") }}
        {%- endif -%}
    {%- endfor -%}
    {%- for column, counts in spec.derived.items() -%}
        {%- if not counts -%}
            {{ exceptions.raise_compiler_error(
                name ~ ": derived column " ~ column ~ " names no count; a column derived from"
                ~ " no count is not derived (list it under disclosure.not_counts).") }}
        {%- endif -%}
        {%- for count in counts if count not in spec.counts -%}
            {{ exceptions.raise_compiler_error(
                name ~ ": derived column " ~ column ~ " names " ~ count
                ~ ", which is not in config.meta.disclosure.counts.") }}
        {%- endfor -%}
    {%- endfor -%}
    {%- for group_name in spec.get('group_totals', {}) if group_name not in spec.groups -%}
        {{ exceptions.raise_compiler_error(
            name ~ ": config.meta.disclosure.group_totals names " ~ group_name
            ~ ", which is not in config.meta.disclosure.groups.") }}
    {%- endfor -%}
    {{ return(spec) }}
{%- endmacro %}


{#- A count that primary suppression hides: from 1 to var disclosure_min_count - 1 (zero is
    shown: an empty area reveals nobody). -#}
{% macro is_below_threshold(count) -%}
    ({{ count }} > 0 and {{ count }} < {{ var('disclosure_min_count') }})
{%- endmacro %}


{#- A count rounded to the nearest multiple of var disclosure_rounding (halves away from zero).
    Applied only to counts at or above the threshold, so a rounded count is never below it
    when the threshold is itself a multiple of the base (10 and 5 by default). -#}
{% macro round_count(count) -%}
    cast(
        round({{ count }} / {{ var('disclosure_rounding') }}) * {{ var('disclosure_rounding') }}
        as bigint
    )
{%- endmacro %}
