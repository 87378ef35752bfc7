{#- The one rule that puts a point in an LSOA, for every model that locates points: the LSOA
    whose polygon contains or touches the point and, for a point on a boundary shared by two or
    more LSOAs, the one with the lowest code, so that a point lands in exactly one area. A point
    outside every polygon, or with a null coordinate, gets no row: the caller left-joins the
    result and reads a null lsoa_code as outside the study area.

    Selects `key_column` and `lsoa_code` from the relation `points`, whose columns `x` and `y`
    are EPSG:27700 metres; `lsoas` is the model's import CTE of stg_ons__lsoa_boundaries. The
    body of a CTE. -#}
{% macro locate_in_lsoas(points, key_column, x, y, lsoas='lsoas') -%}
    select
        {{ points }}.{{ key_column }},
        min({{ lsoas }}.lsoa_code) as lsoa_code
    from {{ points }}
    inner join {{ lsoas }}
        on st_intersects({{ lsoas }}.geom, st_point({{ points }}.{{ x }}, {{ points }}.{{ y }}))
    where {{ points }}.{{ x }} is not null and {{ points }}.{{ y }} is not null
    group by {{ points }}.{{ key_column }}
{%- endmacro %}
