-- One row per area and level of int_area_youth_violence_counts (the force row included):
-- crude and empirical-Bayes smoothed rates of youth-involved violence per 1,000 resident
-- children per year, with intervals, from the exact counts, as int_area_violence_rates has
-- them for all violence (the same macros: gamma_prior for each level's prior,
-- published_force_rate, area_rate_columns). fct_area_violence recomputes them from its
-- published counts. A model of its own because its counts need persons.
with

counts as (
    select * from {{ ref('int_area_youth_violence_counts') }}
),

youth_violent_prior as (
    {{ gamma_prior('counts', 'youth_violent_offences', 'child_thousand_years') }}
),

-- The force-wide rate as published: null when the force's youth count is below the
-- threshold, as it would be suppressed.
published_force_rate as (
    {{ published_force_rate('counts', 'youth_violent_offences', 'child_thousand_years') }}
),

with_priors as (
    select
        counts.area_level,
        counts.area_code,
        counts.youth_violent_offences,
        counts.resident_children,
        counts.child_thousand_years,
        youth_violent_prior.force_rate as force_youth_violent_rate_per_1000_per_year,
        youth_violent_prior.prior_shape as youth_violent_prior_shape,
        youth_violent_prior.prior_rate as youth_violent_prior_rate,
        published_force_rate.published_force_rate
            as published_force_youth_violent_rate_per_1000_per_year
    from counts
    left join youth_violent_prior
        on counts.area_level = youth_violent_prior.area_level
    -- A left join: a table without a force row (a unit test's) keeps its rows.
    left join published_force_rate
        on true
),

final as (
    select
        *,
        {{ area_rate_columns(
            'youth_violent', 'youth_violent_offences', 'child_thousand_years',
            'is_high_youth_violence'
        ) }}
    from with_priors
)

select * from final
