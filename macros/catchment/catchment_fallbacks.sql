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
    lsoa_code and children. Ends in a CTE named `final`. -#}
{% macro share_pupils_by_children(candidates, rolls='rolls', schools='schools') -%}
shared as (
    select
        {{ candidates }}.segment,
        {{ candidates }}.urn,
        {{ candidates }}.lsoa_code,
        {{ rolls }}.pupils * {{ candidates }}.children
        / sum({{ candidates }}.children) over (
            partition by {{ candidates }}.segment, {{ candidates }}.urn
        ) as expected_pupils,
        false as is_fallback
    from {{ candidates }}
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
    select * from fallback
)
{%- endmacro %}
