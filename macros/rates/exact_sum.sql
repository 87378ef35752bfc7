{#- The sum of a float expression, the same to the last bit whatever order the rows arrive
    in: each term is fixed to 18 decimal places and added exactly (DECIMAL(38, 18), a 128-bit
    integer sum), then the total is turned back into a double. A plain sum of doubles depends
    on the order it adds in, which no hash aggregate or window fixes, so a rebuild or a
    refresh could differ from a full build in the last bit (at national size the catchments
    did); `sum(x order by key)` fixes the order but holds every row of every group in memory
    until the group ends, and at national size (14 million school-LSOA pairs) that alone ran
    out of the deployment profile's 8GB. Terms are rounded by at most 5e-19; totals must stay
    below 1e20 (far above any rate, pupil count or moment summed here). `where`: an optional
    filter condition. An aggregate only: for a share of a group's total, sum the group and
    join it back (as a window, the exact sum took ten times as long at national size). -#}
{% macro exact_sum(expression, where=none) -%}
    cast(
        sum(cast({{ expression }} as decimal(38, 18)))
        {%- if where is not none %} filter (where {{ where }}){% endif %}
        as double
    )
{%- endmacro %}
