-- One row per area and level (the force row included): crude and empirical-Bayes smoothed
-- rates of all violence per 1,000 residents per year, with intervals, from the exact counts.
-- The school measures use these; the published fct_area_violence recomputes the rates from
-- its published counts, with priors estimated from those. Each level has its own gamma prior
-- (macro gamma_prior: Marshall's method of moments), as rates over smaller areas vary more.
-- Areas without residents take no part in estimating it, and their smoothed rate is the
-- force-wide rate. No person is read: the youth-violence rates, which need persons, are
-- int_area_youth_violence_rates.
with

counts as (
    select * from {{ ref('int_area_violence_counts') }}
),

violent_prior as (
    {{ gamma_prior('counts', 'violent_offences', 'resident_thousand_years') }}
),

-- The force-wide rate as published (macro published_force_rate), so that no published
-- figure built on it (fct_area_violence, the school exposure index) gives back the exact
-- force-wide count.
published_force_rate as (
    {{ published_force_rate('counts', 'violent_offences', 'resident_thousand_years') }}
),

with_priors as (
    select
        counts.area_level,
        counts.area_code,
        counts.area_name,
        counts.lsoa_code,
        counts.msoa_code,
        counts.ward_code,
        counts.lad_code,
        counts.violent_offences,
        counts.residents,
        counts.resident_thousand_years,
        counts.window_start_date,
        counts.window_end_date,
        violent_prior.force_rate as force_violent_rate_per_1000_per_year,
        violent_prior.prior_shape as violent_prior_shape,
        violent_prior.prior_rate as violent_prior_rate,
        published_force_rate.published_force_rate
            as published_force_violent_rate_per_1000_per_year
    from counts
    left join violent_prior
        on counts.area_level = violent_prior.area_level
    -- A left join: a table without a force row (a unit test's) keeps its rows.
    left join published_force_rate
        on true
),

final as (
    select
        *,
        {{ area_rate_columns(
            'violent', 'violent_offences', 'resident_thousand_years', 'is_high_violence'
        ) }}
    from with_priors
)

select * from final
