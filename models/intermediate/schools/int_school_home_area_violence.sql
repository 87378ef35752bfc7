-- One row per school with a catchment: the violence its pupils' home areas carry.
--
-- exposure_violence_rate = sum over LSOAs l of w(l, s) * smoothed violence rate(l), per
-- 1,000 residents per year (DESIGN.md "School exposure"). Its variance, over the posterior
-- uncertainty of the LSOA rates (independent gammas, variance (a + y) / (b + E)^2), is
-- sum of w^2 * variance(l); the interval is that of a gamma with the same mean and variance.
-- It leaves out the uncertainty of the catchment itself, which the sensitivity runs
-- (scripts/catchment_sensitivity.py) measure instead.
--
-- pupils_from_high_violence_areas = sum of F(l, s) over high-violence l; its variance, from
-- each LSOA's posterior probability p of being high, is sum of F^2 * p * (1 - p).
--
-- Every sum runs in LSOA order, so a rebuild adds the same numbers in the same order (a
-- parallel sum of doubles would not, and ties between schools would break differently).
with

flows as (
    select * from {{ ref('int_catchment_flows_selected') }}
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
        lsoa_rates.force_violent_rate_per_1000_per_year as force_rate
    from flows
    inner join lsoa_rates
        on flows.lsoa_code = lsoa_rates.area_code
),

by_school as (
    select
        urn,
        any_value(catchment_method) as catchment_method,
        any_value(force_rate) as force_rate,
        sum(expected_pupils order by lsoa_code) as catchment_pupils,
        sum(weight * lsoa_rate order by lsoa_code) as exposure_violence_rate,
        sum(power(weight, 2) * lsoa_rate_variance order by lsoa_code) as exposure_variance,
        coalesce(
            sum(expected_pupils order by lsoa_code) filter (where is_high_violence), 0
        ) as pupils_from_high_violence_areas,
        sum(
            power(expected_pupils, 2)
            * violent_probability_high * (1 - violent_probability_high)
            order by lsoa_code
        ) as pupils_from_high_violence_areas_variance
    from pairs
    group by urn
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
        {{ moment_matched_gamma_bound('lower', 'exposure_violence_rate', 'exposure_variance') }}
            as exposure_violence_rate_lower,
        {{ moment_matched_gamma_bound('upper', 'exposure_violence_rate', 'exposure_variance') }}
            as exposure_violence_rate_upper,
        exposure_variance,
        force_rate as force_violent_rate_per_1000_per_year,
        pupils_from_high_violence_areas,
        pupils_from_high_violence_areas_variance
    from by_school
)

select * from final
