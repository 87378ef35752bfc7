{#- var priority_weights as a DuckDB list of structs, one per measure in the var's order:
    [{'measure': 'exposure_violence_rate', 'measure_order': 1, 'priority_weight': 0.4}, ...].
    A weight that is not a number of zero or more is a build error naming it. -#}
{% macro priority_weight_list() -%}
    {%- set items = [] -%}
    {%- for measure, weight in var('priority_weights').items() -%}
        {%- if weight is not number or weight < 0 -%}
            {{ exceptions.raise_compiler_error(
                "var priority_weights: the weight of " ~ measure ~ " is " ~ weight
                ~ "; each weight is a number of zero or more.") }}
        {%- endif -%}
        {%- do items.append("{'measure': " ~ sql_string(measure) ~ ", 'measure_order': "
            ~ loop.index ~ ", 'priority_weight': " ~ weight ~ "}") -%}
    {%- endfor -%}
    [{{ items | join(', ') }}]
{%- endmacro %}


{#- Priority scores and ranks from measure values: `measure_values` has urn, replicate (any
    key of one ranking: a simulation replicate, a variant of the data), measure and
    measure_value. Within each replicate, priority_score = 100 * sum_k w_k * percent_rank_k
    over the measures of var priority_weights with a weight in use
    (int_priority_measure_weights), rounded to nine decimals so that scores equal but for the
    order of additions tie exactly; priority_rank = 1 + the number of schools with a higher
    score (ties share the better rank). One CTE body. -#}
{% macro priority_ranks(measure_values) -%}
    {#- the measures in the byte order of their names, as DuckDB sorts text -#}
    {%- set measures = var('priority_weights').keys() | list | sort(case_sensitive=true) -%}
    with

    weights as (
        select * from {{ ref('int_priority_measure_weights') }}
        where priority_weight_used > 0
    ),

    percent_ranks as (
        select
            measure_values.urn,
            measure_values.replicate,
            measure_values.measure,
            weights.priority_weight_used,
            percent_rank() over (
                partition by measure_values.replicate, measure_values.measure
                order by measure_values.measure_value
            ) as measure_percent_rank
        from {{ measure_values }} as measure_values
        inner join weights
            on measure_values.measure = weights.measure
    ),

    -- Each measure's term, one column per measure of var priority_weights.
    terms as (
        select
            urn,
            replicate,
            {%- for measure in measures %}
            sum(priority_weight_used * measure_percent_rank) filter (
                where measure = {{ sql_string(measure) }}
            ) as term_{{ loop.index }}{{ "," if not loop.last }}
            {%- endfor %}
        from percent_ranks
        group by urn, replicate
    ),

    scored as (
        -- The terms added in the order of the measures' names, a measure without a weight
        -- in use adding 0 (x + 0 = x): the same sum, bit for bit, as summing the rows
        -- ordered by measure, without sorting each school's terms.
        select
            urn,
            replicate,
            round(
                100 * (
                    {%- for measure in measures %}
                    {{ "+ " if not loop.first }}coalesce(term_{{ loop.index }}, 0)
                    {%- else %}
                    0
                    {%- endfor %}
                ),
                9
            ) as priority_score
        from terms
    )

    select
        urn,
        replicate,
        priority_score,
        rank() over (partition by replicate order by priority_score desc) as priority_rank
    from scored
{%- endmacro %}
