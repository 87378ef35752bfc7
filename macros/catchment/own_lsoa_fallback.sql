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
