-- One row per measure of the priority score (var priority_weights): the weight set, whether
-- this build's data supports the measure (int_measure_availability), and the weight it
-- carries: the set weights of the available measures renormalised to sum to 1, and 0 for a
-- measure the data cannot support, so an unavailable measure adds neither signal nor noise.
with

availability as (
    select * from {{ ref('int_measure_availability') }}
),

weights as (
    -- var priority_weights, in its order
    select
        struct_extract(weight, 'measure') as measure,
        struct_extract(weight, 'measure_order') as measure_order,
        cast(struct_extract(weight, 'priority_weight') as double) as priority_weight
    from (select unnest({{ priority_weight_list() }}) as weight)
),

joined as (
    select
        weights.measure,
        weights.measure_order,
        weights.priority_weight,
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
