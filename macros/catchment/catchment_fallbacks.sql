{#- The fallback every catchment method shares, so that no school silently drops out: a
    school (and segment) in `rolls` with no row in `flows` gets all its pupils in the LSOA it
    stands in (`schools`: int_school_rolls), flagged is_fallback. The body of a CTE with the
    columns segment, urn, lsoa_code, expected_pupils, is_fallback. -#}
{% macro own_lsoa_fallback(rolls, schools, flows) -%}
    select
        {{ rolls }}.segment,
        {{ rolls }}.urn,
        {{ schools }}.lsoa_code,
        {{ rolls }}.pupils as expected_pupils,
        true as is_fallback
    from {{ rolls }}
    inner join {{ schools }}
        on {{ rolls }}.urn = {{ schools }}.urn
    where not exists (
        select 1
        from {{ flows }}
        where {{ flows }}.urn = {{ rolls }}.urn and {{ flows }}.segment = {{ rolls }}.segment
    )
{%- endmacro %}


{#- The last CTEs of a method that gives each school a set of LSOAs with children: the
    school's pupils of the segment shared among them in proportion to their children, plus
    the own-LSOA fallback for a school with none. `candidates`: a CTE with segment, urn,
    lsoa_code and children (and variant, when `variants` names a CTE of the method's
    variants: then each variant is shared on its own, and a fallback school keeps its pupils
    under every variant). Each school's total is an exact sum (macro exact_sum), so every build
    gets it to the last bit (a window sum has no fixed order, and with three or more terms its
    last bit can differ between builds). Ends in a CTE named `final`. -#}
{% macro share_pupils_by_children(candidates, rolls='rolls', schools='schools', variants=none) -%}
{%- set by_variant = candidates ~ '.variant, ' if variants else '' %}
candidate_totals as (
    select
        {{ by_variant }}{{ candidates }}.segment,
        {{ candidates }}.urn,
        {{ exact_sum(candidates ~ '.children') }} as children
    from {{ candidates }}
    group by {{ by_variant }}{{ candidates }}.segment, {{ candidates }}.urn
),

shared as (
    select
        {{ candidates }}.segment,
        {{ candidates }}.urn,
        {{ candidates }}.lsoa_code,
        {%- if variants %}
        {{ candidates }}.variant,
        {%- endif %}
        {{ rolls }}.pupils * {{ candidates }}.children / candidate_totals.children
            as expected_pupils,
        false as is_fallback
    from {{ candidates }}
    inner join candidate_totals
        on
            {%- if variants %}
            {{ candidates }}.variant = candidate_totals.variant
            and {{ candidates }}.segment = candidate_totals.segment
            {%- else %}
            {{ candidates }}.segment = candidate_totals.segment
            {%- endif %}
            and {{ candidates }}.urn = candidate_totals.urn
    inner join {{ rolls }}
        on
            {{ candidates }}.urn = {{ rolls }}.urn
            and {{ candidates }}.segment = {{ rolls }}.segment
),

fallback as (
    {{ own_lsoa_fallback(rolls, schools, 'shared') }}
),

final as (
    select * from shared
    union all
    {%- if variants %}
    select
        fallback.segment,
        fallback.urn,
        fallback.lsoa_code,
        {{ variants }}.variant,
        fallback.expected_pupils,
        fallback.is_fallback
    from fallback
    cross join {{ variants }}
    {%- else %}
    select * from fallback
    {%- endif %}
)
{%- endmacro %}
