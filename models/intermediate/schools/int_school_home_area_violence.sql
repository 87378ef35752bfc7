-- One row per school with a catchment: the violence its pupils' home areas carry.
--
-- exposure_violence_rate = sum over LSOAs l of w(l, s) * smoothed violence rate(l), per
-- 1,000 residents per year (DESIGN.md "School exposure"), and
-- pupils_from_high_violence_areas = sum of F(l, s) over high-violence l. Each has a variance
-- of three parts, added (the interval is that of a gamma with the same mean and variance):
--   rates:     the posterior uncertainty of the LSOA rates (independent gammas, variance
--              (a + y) / (b + E)^2): sum of w^2 * variance(l); for the pupils, from each
--              LSOA's posterior probability p of being high, sum of F^2 * p * (1 - p);
--   pupils:    the school's N pupils are a finite draw from its catchment, so even a right
--              catchment gives a different value: (sum of w * rate^2 - exposure^2) / N, and
--              N * q * (1 - q) with q the share of pupils from high-violence areas;
--   catchment: the catchment is itself an estimate. Its alternatives (other decay forms
--              and strengths, int_school_exposure_alternatives) give the measure a spread
--              around the published value (the root mean square difference); times var
--              catchment_uncertainty_scale, a factor calibrated on the generator's family of
--              school-choice worlds (scripts/evaluate_worlds.py) so that 90% intervals hold
--              the value on the true catchments for 80-95% of schools. A school whose
--              catchment is observed (pupil_residence.csv) has none.
--
-- Every sum is exact (macro exact_sum), so a rebuild gets the same totals to the last bit (a
-- parallel sum of doubles would not, and ties between schools would break differently).
with

flows as (
    select * from {{ ref('int_catchment_flows_selected') }}
),

alternatives as (
    select * from {{ ref('int_school_exposure_alternatives') }}
),

lsoa_rates as (
    select * from {{ ref('int_area_violence_rates') }}
    where area_level = 'lsoa'
),

pairs as (
    select
        flows.urn,
        flows.lsoa_code,
        flows.catchment_method,
        flows.expected_pupils,
        flows.weight,
        lsoa_rates.smoothed_violent_rate_per_1000_per_year as lsoa_rate,
        (lsoa_rates.violent_prior_shape + lsoa_rates.violent_offences)
        / power(lsoa_rates.violent_prior_rate + lsoa_rates.resident_thousand_years, 2)
            as lsoa_rate_variance,
        lsoa_rates.is_high_violence,
        lsoa_rates.violent_probability_high,
        -- The published force rate (from the rounded force count): the index built on it
        -- must not give back the exact force-wide count.
        lsoa_rates.published_force_violent_rate_per_1000_per_year as force_rate
    from flows
    inner join lsoa_rates
        on flows.lsoa_code = lsoa_rates.area_code
),

by_school as (
    select
        urn,
        any_value(catchment_method) as catchment_method,
        any_value(force_rate) as force_rate,
        {{ exact_sum('expected_pupils') }} as catchment_pupils,
        {{ exact_sum('weight * lsoa_rate') }} as exposure_violence_rate,
        {{ exact_sum('weight * power(lsoa_rate, 2)') }} as exposure_second_moment,
        {{ exact_sum('power(weight, 2) * lsoa_rate_variance') }} as exposure_rate_variance,
        coalesce(
            {{ exact_sum('expected_pupils', where='is_high_violence') }}, 0
        ) as pupils_from_high_violence_areas,
        {{ exact_sum(
            'power(expected_pupils, 2)'
            ' * violent_probability_high * (1 - violent_probability_high)'
        ) }} as pupils_rate_variance
    from pairs
    group by urn
),

catchment_spread as (
    -- mean square difference of the alternatives from the published values
    select
        by_school.urn,
        {{ exact_sum(
            'power(alternatives.exposure_violence_rate - by_school.exposure_violence_rate, 2)'
        ) }} / count(*) as exposure_mean_square_difference,
        {{ exact_sum(
            'power(alternatives.pupils_from_high_violence_areas'
            ' - by_school.pupils_from_high_violence_areas, 2)'
        ) }} / count(*) as pupils_mean_square_difference
    from by_school
    inner join alternatives
        on by_school.urn = alternatives.urn
    group by by_school.urn
),

variances as (
    select
        by_school.*,
        greatest(
            by_school.exposure_second_moment - power(by_school.exposure_violence_rate, 2), 0
        ) / by_school.catchment_pupils as exposure_pupils_variance,
        by_school.pupils_from_high_violence_areas
        * greatest(
            1 - by_school.pupils_from_high_violence_areas / by_school.catchment_pupils, 0
        ) as pupils_pupils_variance,
        {{ var('catchment_uncertainty_scale') }} ** 2
        * coalesce(catchment_spread.exposure_mean_square_difference, 0)
            as exposure_catchment_variance,
        {{ var('catchment_uncertainty_scale') }} ** 2
        * coalesce(catchment_spread.pupils_mean_square_difference, 0)
            as pupils_catchment_variance
    from by_school
    left join catchment_spread
        on by_school.urn = catchment_spread.urn
),

totals as (
    select
        *,
        exposure_rate_variance + exposure_pupils_variance + exposure_catchment_variance
            as exposure_variance,
        pupils_rate_variance + pupils_pupils_variance + pupils_catchment_variance
            as pupils_from_high_violence_areas_variance
    from variances
),

final as (
    select
        -- ids
        urn,

        -- attributes
        catchment_method,

        -- measures
        catchment_pupils,
        exposure_violence_rate,
        {{ moment_matched_gamma_bound(
            'lower', 'exposure_violence_rate', 'exposure_variance') }}
            as exposure_violence_rate_lower,
        {{ moment_matched_gamma_bound(
            'upper', 'exposure_violence_rate', 'exposure_variance') }}
            as exposure_violence_rate_upper,
        exposure_variance,
        exposure_rate_variance,
        exposure_pupils_variance,
        exposure_catchment_variance,
        force_rate as force_violent_rate_per_1000_per_year,
        pupils_from_high_violence_areas,
        pupils_from_high_violence_areas_variance,
        pupils_rate_variance as pupils_from_high_violence_areas_rate_variance,
        pupils_pupils_variance as pupils_from_high_violence_areas_pupils_variance,
        pupils_catchment_variance as pupils_from_high_violence_areas_catchment_variance
    from totals
)

select * from final
