{#- The sum of a float expression, the same to the last bit whatever order the rows arrive
    in: each term is fixed to 18 decimal places and added exactly (DECIMAL(38, 18), a 128-bit
    integer sum), then the total is turned back into a double. A plain sum of doubles depends
    on the order it adds in, which no hash aggregate or window fixes, so a rebuild or a
    refresh could differ from a full build in the last bit (at national size the catchments
    did); `sum(x order by key)` fixes the order but holds every row of every group in memory
    until the group ends, and at national size (14 million school-LSOA pairs) that alone ran
    out of the deployment profile's 8GB. Terms are rounded by at most 5e-19; totals must stay
    below 1e20 (far above any rate, pupil count or moment summed here). `where`: an optional
    filter condition; `over`: a window (`partition by urn`) to sum over instead of a group. -#}
{% macro exact_sum(expression, where=none, over=none) -%}
    cast(
        sum(cast({{ expression }} as decimal(38, 18)))
        {%- if where is not none %} filter (where {{ where }}){% endif %}
        {%- if over is not none %} over ({{ over }}){% endif %}
        as double
    )
{%- endmacro %}
