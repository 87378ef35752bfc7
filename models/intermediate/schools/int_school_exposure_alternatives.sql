-- One row per school with a modelled catchment and alternative catchment variant
-- (int_catchment_flow_alternatives): the school's exposure measures had its pupils come
-- from the alternative catchment, with the same LSOA rates. int_school_home_area_violence
-- turns their spread around the published values into the catchment's share of the
-- measures' uncertainty. Sums run in LSOA order, so rebuilds add in the same order.
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
        sum(
            alternatives.weight * lsoa_rates.smoothed_violent_rate_per_1000_per_year
            order by alternatives.lsoa_code
        ) as exposure_violence_rate,
        coalesce(
            sum(alternatives.expected_pupils order by alternatives.lsoa_code)
            filter (where lsoa_rates.is_high_violence),
            0
        ) as pupils_from_high_violence_areas
    from alternatives
    inner join lsoa_rates
        on alternatives.lsoa_code = lsoa_rates.area_code
    group by alternatives.urn, alternatives.variant
)

select * from final
