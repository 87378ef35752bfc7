-- One row per area and level (lsoa, msoa, ward, lad). Counts, rates and intervals come from
-- int_area_violence_rates; disclosure control (suppression, secondary suppression within the
-- groups in the YAML, rounding) is macro disclosure_control(), driven by
-- config.meta.disclosure. Every rate, interval and flag is then recomputed from the
-- published, rounded count (with the level's prior, which is estimated from all areas and
-- says nothing about any one), so that none of them gives the exact count back. Youth
-- violence needs persons with an age (int_measure_availability): without them its counts,
-- rates and flags are null, never zero, and is_youth_violence_available says so.
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
        rates.msoa_code,
        rates.ward_code,
        rates.lad_code,
        rates.violent_offences,
        case
            when youth_availability.is_youth_violence_available
                then rates.youth_violent_offences
        end as youth_violent_offences,
        youth_availability.is_youth_violence_available,
        rates.residents,
        rates.resident_children,
        rates.resident_thousand_years,
        rates.child_thousand_years,
        rates.violent_prior_shape,
        rates.violent_prior_rate,
        rates.youth_violent_prior_shape,
        rates.youth_violent_prior_rate,
        rates.force_violent_rate_per_1000_per_year,
        rates.force_youth_violent_rate_per_1000_per_year,
        rates.window_start_date,
        rates.window_end_date
    from rates
    cross join youth_availability
),

controlled as (
    {{ disclosure_control('counted', derived=derived) }}
),

final as (
    select
        -- ids
        area_level,
        area_code,

        -- attributes
        area_name,
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
