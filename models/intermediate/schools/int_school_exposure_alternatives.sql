-- One row per school with a modelled catchment and alternative catchment variant
-- (int_catchment_flow_alternatives): the school's exposure measures had its pupils come
-- from the alternative catchment, with the same LSOA rates. int_school_home_area_violence
-- turns their spread around the published values into the catchment's share of the
-- measures' uncertainty. Sums are exact (macro exact_sum), so rebuilds agree to the last bit.
with

alternatives as (
    select * from {{ ref('int_catchment_flow_alternatives') }}
),

lsoa_rates as (
    select * from {{ ref('int_area_violence_rates') }}
    where area_level = 'lsoa'
),

final as (
    select
        alternatives.urn,
        alternatives.variant,
        {{ exact_sum(
            'alternatives.weight * lsoa_rates.smoothed_violent_rate_per_1000_per_year'
        ) }} as exposure_violence_rate,
        coalesce(
            {{ exact_sum('alternatives.expected_pupils', where='lsoa_rates.is_high_violence') }},
            0
        ) as pupils_from_high_violence_areas
    from alternatives
    inner join lsoa_rates
        on alternatives.lsoa_code = lsoa_rates.area_code
    group by alternatives.urn, alternatives.variant
)

select * from final
