-- One row per measure of the priority score: the weight the VRU set (var priority_weights),
-- whether this build's data supports the measure, and the weight it carries in
-- fct_school_exposure's score (int_priority_measure_weights).
with

weights as (
    select * from {{ ref('int_priority_measure_weights') }}
),

final as (
    select
        measure,
        measure_order,
        priority_weight,
        is_available,
        unavailable_reason,
        priority_weight_used
    from weights
)

select * from final
order by measure_order
