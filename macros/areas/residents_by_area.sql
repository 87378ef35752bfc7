{#- One row per area of a staged population relation (`population`: `code`, age, population):
    its residents and its resident children of school age (vars school_age_min_victim to
    school_age_max, 4 to 17 by default: the ages at which a person counts as school-aged for
    at least one role), the denominators of the rates. The body of a CTE. -#}
{% macro residents_by_area(population, code) -%}
    select
        {{ code }},
        sum(population) as residents,
        sum(population) filter (
            where age between {{ var('school_age_min_victim') }} and {{ var('school_age_max') }}
        ) as resident_children
    from {{ population }}
    group by {{ code }}
{%- endmacro %}
