{#- Disclosure control for a published model (DESIGN.md, "Disclosure control"), driven by the
    model's config.meta.disclosure (macro disclosure_spec). Use it as one CTE:

        controlled as (
            {{ disclosure_control('counted', derived={
                'violent_rate_per_1000_per_year':
                    '1000.0 * violent_offences / nullif(residents, 0) / window_years',
            }) }}
        ),

    `relation` (a CTE or relation) holds the exact counts under the published column names and
    every column the group expressions use. `model_name`: apply the specification of that
    published model instead of the current model's (an intermediate model that controls the
    values its mart publishes, so that later steps, such as a ranking, see published values
    only). The result has the same columns, with, for each
    count in disclosure.counts:

    1. primary suppression: a count from 1 to var disclosure_min_count - 1 becomes null and
       `<count>_suppressed` true (zero is shown);
    2. secondary suppression, for each group in disclosure.groups (an SQL expression naming the
       cell's group; null = not in that group): a group left with exactly one suppressed cell
       also loses its smallest published cell, non-zero ones first (ties: disclosure.key), so
       no suppressed value is the group's total minus the published others. A group holds
       its total's row when the model publishes the total (e.g. an MSOA's row with its LSOAs),
       so a total is protected like any other cell. Suppressing a cell for one group can leave
       another group with a lone cell, so the groups are revisited `passes` times; the generic
       test disclosure_no_recoverable_cells fails the build if that was not enough;
    2b. narrow-range suppression, for each group named in disclosure.group_totals (an SQL
       condition picking the group's total row): when the published total, less the smallest
       values its published parts can take, leaves the group's suppressed parts so little room
       that one of them would have fewer possible values than the primary range 1 to
       var disclosure_min_count - 1, the total is suppressed too (secondary). An attacker who
       combines the rounding ranges of a total and its parts can otherwise narrow a suppressed
       cell (issue 14: "at most 8", "[0, 4]"); scripts/disclosure_audit.py checks the whole
       result by integer programming;
    3. rounding: every published count to the nearest var disclosure_rounding;
    4. derived columns (macro disclosure_derived): each expression in `derived` (one per key
       of disclosure.derived) is computed from the published, rounded counts, never from the
       exact ones (an exact rate times its public denominator gives back the exact count), and
       is null when any count it derives from (disclosure.derived) is suppressed.
       `derive=false` stops before this step, for a model that needs the published counts to
       compute what its derived columns use (fct_area_violence's priors), and then calls
       disclosure_derived() itself.

    Which cell is suppressed, and why, is not published: a flag says only that it is.

    Each step is a materialized CTE: inlined, every step would repeat the previous step's flag
    expression several times, and the query would grow exponentially with the passes. -#}
{% macro disclosure_control(relation, derived={}, passes=8, model_name=none, derive=true) -%}
    {%- set spec = disclosure_spec(model_name=model_name) -%}
    {%- if spec is none -%}
        {#- Parse time: the specification is not known yet; nothing runs this SQL. -#}
        select * from {{ relation }}
    {%- else -%}
        {%- if derive -%}
            {%- do disclosure_check_derived(spec, derived) -%}
        {%- endif -%}
        {%- set order_key = spec.key | join(', ') -%}
        {%- set step = namespace(previous='dc_input', n=0) %}
    with

    dc_input as (
        select * from {{ relation }}
    ),
        {%- for count in spec.counts %}
            {%- set flag = count ~ '_suppressed' %}
            {%- set step.n = step.n + 1 %}

    dc_{{ step.n }}_primary as materialized (
        select
            *,
            coalesce({{ is_below_threshold(count) }}, false) as {{ flag }}
        from {{ step.previous }}
    ),
            {%- set step.previous = 'dc_' ~ step.n ~ '_primary' %}
            {%- for pass in range(passes) %}
                {%- for group_name, group in spec.groups.items() %}
                    {%- set step.n = step.n + 1 %}

    dc_{{ step.n }}_{{ group_name }} as materialized (
        -- {{ count }}, pass {{ pass + 1 }}: a lone suppressed cell in a {{ group_name }}
        -- group takes the group's smallest published cell with it.
        select
            * replace (
                {{ flag }} or coalesce(
                    ({{ group }}) is not null
                    and not {{ flag }}
                    and sum(cast({{ flag }} as integer)) over (
                        partition by ({{ group }})
                    ) = 1
                    and row_number() over (
                        partition by ({{ group }}), {{ flag }}
                        order by {{ count }} = 0, {{ count }}, {{ order_key }}
                    ) = 1,
                    false
                ) as {{ flag }}
            )
        from {{ step.previous }}
    ),
                    {%- set step.previous = 'dc_' ~ step.n ~ '_' ~ group_name %}
                {%- endfor %}
                {#- Once, after the first pass: later passes suppress only lone cells' partners,
                    which widen a total's room (non-zero ones first), and a step per group in
                    every pass makes the SQL too large to parse. #}
                {%- for group_name, total in (spec.get('group_totals', {}).items()
                    if pass == 0 else []) %}
                    {%- set group = spec.groups[group_name] %}
                    {%- set part = 'not (' ~ total ~ ')' %}
                    {%- set step.n = step.n + 1 %}

    dc_{{ step.n }}_{{ group_name }}_range as materialized (
        -- {{ count }}: a {{ group_name }} total that leaves its
        -- suppressed parts fewer than {{ var('disclosure_min_count') - 1 }} possible values
        -- each is suppressed too.
        select
            * replace (
                {{ flag }} or coalesce(
                    ({{ group }}) is not null
                    and ({{ total }})
                    and not {{ flag }}
                    and sum(cast({{ flag }} and {{ part }} as integer)) over (
                        partition by ({{ group }})
                    ) > 0
                    and {{ published_bound('upper', count) }}
                    - sum(
                        case
                            when not {{ flag }} and {{ part }}
                                then {{ published_bound('lower', count) }}
                        end
                    ) over (partition by ({{ group }}))
                    - (sum(cast({{ flag }} and {{ part }} as integer)) over (
                        partition by ({{ group }})
                    ) - 1)
                    < {{ var('disclosure_min_count') - 1 }},
                    false
                ) as {{ flag }}
            )
        from {{ step.previous }}
    ),
                    {%- set step.previous = 'dc_' ~ step.n ~ '_' ~ group_name ~ '_range' %}
                {%- endfor %}
            {%- endfor %}
        {%- endfor %}

    dc_published as (
        select
            * replace (
            {%- for count in spec.counts %}
                case
                    when not {{ count }}_suppressed then {{ round_count(count) }}
                end as {{ count }}{{ ',' if not loop.last }}
            {%- endfor %}
            )
        from {{ step.previous }}
    )

        {%- if derive %}

    {{ disclosure_derived_select('dc_published', spec, derived) }}
        {%- else %}

    select * from dc_published
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- Step 4 of disclosure_control() on its own, for a model that called it with derive=false:
    `relation` holds the published counts and their flags. -#}
{% macro disclosure_derived(relation, derived, model_name=none) -%}
    {%- set spec = disclosure_spec(model_name=model_name) -%}
    {%- if spec is none -%}
        select * from {{ relation }}
    {%- else -%}
        {%- do disclosure_check_derived(spec, derived) -%}
        {{ disclosure_derived_select(relation, spec, derived) }}
    {%- endif -%}
{%- endmacro %}


{#- The derived columns of a specification, null where a count they derive from is
    suppressed. -#}
{% macro disclosure_derived_select(relation, spec, derived) -%}
    select
        *
        {%- for column, counts in spec.derived.items() %},
        case
            when not ({{ disclosure_flags_any(counts) }}) then {{ derived[column] }}
        end as {{ column }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}


{#- Fails unless `derived` gives an expression for exactly the specification's derived
    columns. -#}
{% macro disclosure_check_derived(spec, derived) -%}
    {%- for column in derived if column not in spec.derived -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ": derived column " ~ column ~ " is not in config.meta.disclosure"
            ~ ".derived, so nothing would suppress it with its counts.") }}
    {%- endfor -%}
    {%- for column in spec.derived if column not in derived -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ": config.meta.disclosure.derived names " ~ column
            ~ ", but disclosure_control() was given no expression for it.") }}
    {%- endfor -%}
{%- endmacro %}


{#- The smallest ('lower') or largest ('upper') true value a count published by
    disclosure_control() can have: exactly 0 when 0, else its rounding range around the
    rounded value. Used on a count before rounding, so it rounds it first. -#}
{% macro published_bound(bound, count) -%}
    case
        when {{ count }} = 0 then 0
        else {{ round_count(count) }}
            {{ '-' if bound == 'lower' else '+' }} {{ var('disclosure_rounding') // 2 }}
    end
{%- endmacro %}


{#- `a_suppressed or b_suppressed ...` for a list of counts. -#}
{% macro disclosure_flags_any(counts) -%}
    {%- for count in counts -%}
        {{ count }}_suppressed{{ ' or ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
