-- One row per area and level: crude and empirical-Bayes smoothed rates per 1,000 per year,
-- with intervals, for all violence (per resident) and youth violence (per resident child),
-- from the exact counts. The school measures use these; the published fct_area_violence
-- recomputes the same rates from its rounded counts with the priors estimated here.
-- Each level has its own gamma prior (macro gamma_prior: Marshall's method of moments), as
-- rates over smaller areas vary more. Areas without residents take no part in estimating
-- it, and their smoothed rate is the force-wide rate.
with

counts as (
    select * from {{ ref('int_area_violence_counts') }}
),

violent_prior as (
    {{ gamma_prior('counts', 'violent_offences', 'resident_thousand_years') }}
),

youth_violent_prior as (
    {{ gamma_prior('counts', 'youth_violent_offences', 'child_thousand_years') }}
),

with_priors as (
    select
        counts.area_level,
        counts.area_code,
        counts.area_name,
        counts.msoa_code,
        counts.ward_code,
        counts.lad_code,
        counts.violent_offences,
        counts.youth_violent_offences,
        counts.residents,
        counts.resident_children,
        counts.resident_thousand_years,
        counts.child_thousand_years,
        counts.window_start_date,
        counts.window_end_date,
        violent_prior.force_rate as force_violent_rate_per_1000_per_year,
        violent_prior.prior_shape as violent_prior_shape,
        violent_prior.prior_rate as violent_prior_rate,
        youth_violent_prior.force_rate as force_youth_violent_rate_per_1000_per_year,
        youth_violent_prior.prior_shape as youth_violent_prior_shape,
        youth_violent_prior.prior_rate as youth_violent_prior_rate
    from counts
    left join violent_prior
        on counts.area_level = violent_prior.area_level
    left join youth_violent_prior
        on counts.area_level = youth_violent_prior.area_level
),

final as (
    select
        *,
        {{ area_rate_columns(
            'violent', 'violent_offences', 'resident_thousand_years', 'is_high_violence'
        ) }},
        {{ area_rate_columns(
            'youth_violent', 'youth_violent_offences', 'child_thousand_years',
            'is_high_youth_violence'
        ) }}
    from with_priors
)

select * from final
