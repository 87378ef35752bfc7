{#- Primary disclosure control for one published count (DESIGN.md, "Disclosure control"):
    a count from 1 to var disclosure_min_count - 1 is shown as null, zero and larger counts are
    rounded to the nearest var disclosure_rounding. Pair with suppression_flag(). -#}
{% macro suppress_count(count) -%}
    case
        when {{ is_below_threshold(count) }} then null
        else cast(
            round({{ count }} / {{ var('disclosure_rounding') }})
            * {{ var('disclosure_rounding') }} as bigint
        )
    end
{%- endmacro %}


{% macro is_below_threshold(count) -%}
    ({{ count }} > 0 and {{ count }} < {{ var('disclosure_min_count') }})
{%- endmacro %}
