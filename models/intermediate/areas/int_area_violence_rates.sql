-- One row per area and level (the force row included): crude and empirical-Bayes smoothed
-- rates per 1,000 per year, with intervals, for all violence (per resident) and youth
-- violence (per resident child), from the exact counts. The school measures use these; the
-- published fct_area_violence recomputes the rates from its published counts, with priors
-- estimated from those. Each level has its own gamma prior (macro gamma_prior: Marshall's
-- method of moments), as rates over smaller areas vary more. Areas without residents take
-- no part in estimating it, and their smoothed rate is the force-wide rate.
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

-- The force-wide rates as published: the force row's count rounded as disclosure control
-- rounds it (null below the threshold, as it would be suppressed), so that no published
-- figure built on them (fct_area_violence, the school exposure index) gives back the exact
-- force-wide count.
published_force_rates as (
    select
        case
            when not coalesce({{ is_below_threshold('violent_offences') }}, false)
                then
                    {{ round_count('violent_offences') }}
                    / nullif(resident_thousand_years, 0)
        end as published_force_violent_rate_per_1000_per_year,
        case
            when not coalesce({{ is_below_threshold('youth_violent_offences') }}, false)
                then
                    {{ round_count('youth_violent_offences') }}
                    / nullif(child_thousand_years, 0)
        end as published_force_youth_violent_rate_per_1000_per_year
    from counts
    where area_level = 'force'
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
        youth_violent_prior.prior_rate as youth_violent_prior_rate,
        published_force_rates.published_force_violent_rate_per_1000_per_year,
        published_force_rates.published_force_youth_violent_rate_per_1000_per_year
    from counts
    left join violent_prior
        on counts.area_level = violent_prior.area_level
    left join youth_violent_prior
        on counts.area_level = youth_violent_prior.area_level
    -- A left join: a table without a force row (a unit test's) keeps its rows.
    left join published_force_rates
        on true
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
