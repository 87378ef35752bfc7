-- One row per area and level (oa when given, lsoa, msoa, ward, lad, and one force row). Counts,
-- rates and intervals come from int_area_violence_rates (all violence) and
-- int_area_youth_violence_rates (youth violence); disclosure control (suppression,
-- secondary suppression within the groups in the YAML, rounding) is macro disclosure_control(),
-- driven by config.meta.disclosure. Every published figure is then a function of the published
-- counts and the public populations only, so none gives back an exact count: the rates,
-- intervals and flags are recomputed from the rounded counts, the force-wide rates are the
-- force row's rounded count over its person-years, and each level's prior is estimated again
-- from the published counts (a suppressed cell taken at the middle of the primary range, which
-- is all that is published about it). Youth violence needs persons with an age
-- (int_measure_availability): without them its counts, rates and flags are null, never zero,
-- and is_youth_violence_available says so.
{%- set derived = {} %}
{%- do derived.update(area_rate_expressions(
    'violent', 'violent_offences', 'resident_thousand_years', 'is_high_violence')) %}
{%- do derived.update(area_rate_expressions(
    'youth_violent', 'youth_violent_offences', 'child_thousand_years',
    'is_high_youth_violence')) %}
with

rates as (
    select * from {{ ref('int_area_violence_rates') }}
),

youth_rates as (
    select * from {{ ref('int_area_youth_violence_rates') }}
),

youth_availability as (
    select coalesce(bool_or(is_available), true) as is_youth_violence_available
    from {{ ref('int_measure_availability') }}
    where measure = 'youth_violent_rate'
),

counted as (
    select
        rates.area_level,
        rates.area_code,
        rates.area_name,
        rates.lsoa_code,
        rates.msoa_code,
        rates.ward_code,
        rates.lad_code,
        rates.violent_offences,
        case
            when youth_availability.is_youth_violence_available
                then youth_rates.youth_violent_offences
        end as youth_violent_offences,
        youth_availability.is_youth_violence_available,
        rates.residents,
        youth_rates.resident_children,
        rates.resident_thousand_years,
        youth_rates.child_thousand_years,
        rates.published_force_violent_rate_per_1000_per_year
            as force_violent_rate_per_1000_per_year,
        youth_rates.published_force_youth_violent_rate_per_1000_per_year
            as force_youth_violent_rate_per_1000_per_year,
        rates.window_start_date,
        rates.window_end_date
    from rates
    -- The youth counts are over the same areas.
    left join youth_rates
        on rates.area_level = youth_rates.area_level and rates.area_code = youth_rates.area_code
    cross join youth_availability
),

published as (
    {{ disclosure_control('counted', derive=false) }}
),

-- What the priors are estimated from: the published counts, with a suppressed cell at the
-- middle of the primary range 1 to var disclosure_min_count - 1.
prior_counts as (
    select
        area_level,
        area_code,
        coalesce(
            violent_offences,
            case when violent_offences_suppressed then {{ var('disclosure_min_count') / 2 }} end
        ) as violent_offences,
        coalesce(
            youth_violent_offences,
            case
                when youth_violent_offences_suppressed
                    then {{ var('disclosure_min_count') / 2 }}
            end
        ) as youth_violent_offences,
        resident_thousand_years,
        child_thousand_years
    from published
),

violent_prior as (
    {{ gamma_prior('prior_counts', 'violent_offences', 'resident_thousand_years') }}
),

youth_violent_prior as (
    {{ gamma_prior('prior_counts', 'youth_violent_offences', 'child_thousand_years') }}
),

with_priors as (
    select
        published.*,
        violent_prior.prior_shape as violent_prior_shape,
        violent_prior.prior_rate as violent_prior_rate,
        youth_violent_prior.prior_shape as youth_violent_prior_shape,
        youth_violent_prior.prior_rate as youth_violent_prior_rate
    from published
    left join violent_prior
        on published.area_level = violent_prior.area_level
    left join youth_violent_prior
        on published.area_level = youth_violent_prior.area_level
),

controlled as (
    {{ disclosure_derived('with_priors', derived) }}
),

final as (
    select
        -- ids
        area_level,
        area_code,

        -- attributes
        area_name,
        lsoa_code,
        msoa_code,
        ward_code,
        lad_code,

        -- measures: all violence
        violent_offences,
        violent_offences_suppressed,
        residents,
        violent_rate_per_1000_per_year,
        violent_rate_lower,
        violent_rate_upper,
        smoothed_violent_rate_per_1000_per_year,
        smoothed_violent_rate_lower,
        smoothed_violent_rate_upper,
        is_high_violence,
        force_violent_rate_per_1000_per_year,

        -- measures: youth violence
        is_youth_violence_available,
        youth_violent_offences,
        youth_violent_offences_suppressed,
        resident_children,
        youth_violent_rate_per_1000_per_year,
        youth_violent_rate_lower,
        youth_violent_rate_upper,
        smoothed_youth_violent_rate_per_1000_per_year,
        smoothed_youth_violent_rate_lower,
        smoothed_youth_violent_rate_upper,
        is_high_youth_violence,
        force_youth_violent_rate_per_1000_per_year,

        -- timestamps
        window_start_date,
        window_end_date
    from controlled
)

-- In a fixed order, so that every reader sees the rows in the same order.
select * from final
order by area_level, area_code
