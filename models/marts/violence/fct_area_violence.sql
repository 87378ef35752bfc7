-- One row per area and level. At present the level is lsoa only (the thin path of the
-- foundation issue); msoa, ward and lad rows and the smoothed rates follow. Disclosure control
-- (suppression, secondary suppression within the groups in the YAML, rounding, and the rate
-- from the rounded count) is macro disclosure_control(), driven by config.meta.disclosure.
with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

lookup as (
    select * from {{ ref('stg_ons__lsoa_lookup') }}
),

population as (
    select * from {{ ref('stg_ons__lsoa_population') }}
),

offences as (
    select * from {{ ref('int_offences_classified') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

residents as (
    select
        lsoa_code,
        sum(population) as residents
    from population
    group by lsoa_code
),

violent_offences as (
    select
        lsoa_code,
        count(*) as violent_offences
    from offences
    where is_violent and is_in_window and not is_cancelled
    group by lsoa_code
),

counted as (
    select
        'lsoa' as area_level,
        lsoas.lsoa_code as area_code,
        lsoas.lsoa_name as area_name,
        lookup.msoa_code,
        lookup.ward_code,
        lookup.lad_code,
        coalesce(violent_offences.violent_offences, 0) as violent_offences,
        residents.residents,
        analysis_window.window_start_date,
        analysis_window.window_end_date,
        analysis_window.window_years
    from lsoas
    left join lookup
        on lsoas.lsoa_code = lookup.lsoa_code
    left join residents
        on lsoas.lsoa_code = residents.lsoa_code
    left join violent_offences
        on lsoas.lsoa_code = violent_offences.lsoa_code
    cross join analysis_window
),

controlled as (
    {{ disclosure_control('counted', derived={
        'violent_rate_per_1000_per_year':
            '1000.0 * violent_offences / nullif(residents, 0) / window_years',
    }) }}
),

final as (
    select
        area_level,
        area_code,
        area_name,
        msoa_code,
        ward_code,
        lad_code,
        violent_offences,
        violent_offences_suppressed,
        cast(residents as bigint) as residents,
        violent_rate_per_1000_per_year,
        window_start_date,
        window_end_date
    from controlled
)

select * from final
