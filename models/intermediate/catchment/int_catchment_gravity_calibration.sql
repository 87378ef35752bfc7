-- One row per catchment segment and calibration step: the distance-decay parameter beta
-- tried, and the mean straight-line home-school distance of the balanced flows it gives,
-- against the target (var mean_distance_km of the segment's phase). Start from beta = 2 /
-- target (the exact answer for evenly spread homes and schools); the first update is Hyman's
-- (beta times modelled mean / target, right when the mean is inversely proportional to
-- beta); later ones use the elasticity of the mean to beta measured over the last two steps
-- (a secant step in logs), which converges in a few steps where Hyman's would crawl. The last
-- step's beta is the calibrated one.
{%- set steps = var('gravity_calibration_steps') %}
{#- How much the mean distance falls when beta rises, over the last two steps (null when beta
    did not change); its inverse is the power of (mean / target) that the next update uses,
    kept within 1/3 to 5, and 1 (Hyman's update) when it cannot be measured. -#}
{%- set elasticity -%}
    (
        ln(previous_means.mean_distance_km / means.mean_distance_km)
        / nullif(ln(betas.beta_per_km / previous_betas.beta_per_km), 0)
    )
{%- endset %}
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

    -- The previous step of step 1 is itself: no elasticity can be measured, so Hyman's update.
    betas_{{ step + 1 }} as (
        select
            betas.segment,
            betas.beta_per_km * power(
                means.mean_distance_km / targets.target_mean_distance_km,
                1.0 / case
                    when {{ elasticity }} between 0.2 and 3 then {{ elasticity }}
                    when {{ elasticity }} > 3 then 3
                    when {{ elasticity }} > 0 then 0.2
                    else 1
                end
            ) as beta_per_km
        from betas_{{ step }} as betas
        inner join means_{{ step }} as means
            on betas.segment = means.segment
        inner join targets
            on betas.segment = targets.segment
        inner join betas_{{ [step - 1, 1] | max }} as previous_betas
            on betas.segment = previous_betas.segment
        inner join means_{{ [step - 1, 1] | max }} as previous_means
            on betas.segment = previous_means.segment
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
