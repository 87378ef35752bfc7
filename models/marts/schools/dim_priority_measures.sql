-- One row per measure of the priority score (var priority_weights): the weight the VRU set,
-- whether this build's data supports the measure (int_measure_availability), and the
-- weight it carries in fct_school_exposure's score: the set weights of the available
-- measures, renormalised to sum to 1; 0 for a measure the data cannot support.
{%- set weights = var('priority_weights') %}
with

availability as (
    select * from {{ ref('int_measure_availability') }}
),

weights as (
    {%- for measure, weight in weights.items() %}
    select
        {{ loop.index }} as measure_order,
        '{{ measure }}' as measure,
        {{ weight }} as priority_weight
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

joined as (
    select
        weights.measure_order,
        weights.measure,
        cast(weights.priority_weight as double) as priority_weight,
        coalesce(availability.is_available, true) as is_available,
        availability.unavailable_reason
    from weights
    left join availability
        on weights.measure = availability.measure
),

final as (
    select
        measure,
        measure_order,
        priority_weight,
        is_available,
        unavailable_reason,
        case
            when is_available
                then priority_weight / nullif(
                    sum(priority_weight) filter (where is_available) over (), 0
                )
            else 0
        end as priority_weight_used
    from joined
)

select * from final
order by measure_order
