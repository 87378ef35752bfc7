-- One row per catchment segment and calibration step: the distance-decay parameter beta
-- tried, and the mean straight-line home-school distance of the balanced flows it gives,
-- against the target (var mean_distance_km of the segment's phase). Hyman's method: start
-- from beta = 2 / target (the exact answer for evenly spread homes and schools), then scale
-- beta by modelled mean / target at each step. The last step's beta is the calibrated one.
{%- set steps = var('gravity_calibration_steps') %}
with

inputs as not materialized (
    -- Scanned by every balancing round; materialising it would hold a copy in memory.
    select * from {{ ref('int_catchment_gravity_inputs') }}
),

segments as (
    select * from {{ ref('catchment_segments') }}
),

targets as (
    select
        segment,
        case distance_phase
            {%- for phase, km in var('mean_distance_km').items() %}
                when '{{ phase }}' then {{ km }}
            {%- endfor %}
        end as target_mean_distance_km
    from segments
    where segment in (select distinct inputs.segment from inputs)
),

betas_1 as (
    select
        segment,
        2.0 / target_mean_distance_km as beta_per_km
    from targets
),
{%- for step in range(1, steps + 1) %}

{{ gravity_balancing_ctes(
    'step' ~ step, 'inputs', 'betas_' ~ step, var('gravity_calibration_iterations')) }},

    means_{{ step }} as (
        select
            segment,
            sum(expected_pupils * distance_km) / sum(expected_pupils) as mean_distance_km
        from step{{ step }}_flows
        group by segment
    ),

    betas_{{ step + 1 }} as (
        select
            betas.segment,
            betas.beta_per_km * means.mean_distance_km / targets.target_mean_distance_km
                as beta_per_km
        from betas_{{ step }} as betas
        inner join means_{{ step }} as means
            on betas.segment = means.segment
        inner join targets
            on betas.segment = targets.segment
    ),
{%- endfor %}

steps as (
    {%- for step in range(1, steps + 1) %}
        select
            {{ step }} as step,
            betas.segment,
            betas.beta_per_km,
            means.mean_distance_km
        from betas_{{ step }} as betas
        inner join means_{{ step }} as means
            on betas.segment = means.segment
        {{- "\n    union all" if not loop.last }}
    {%- endfor %}
),

final as (
    select
        steps.segment,
        steps.step,
        steps.step = {{ steps }} as is_calibrated,
        steps.beta_per_km,
        steps.mean_distance_km as modelled_mean_distance_km,
        targets.target_mean_distance_km,
        steps.mean_distance_km / targets.target_mean_distance_km - 1 as relative_error
    from steps
    inner join targets
        on steps.segment = targets.segment
)

select * from final
