-- One row per area and level. At present the level is lsoa only (the thin path of the
-- foundation issue); msoa, ward and lad rows and the smoothed rates follow.
with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
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
        lsoas.lsoa_code as area_code,
        lsoas.lsoa_name as area_name,
        coalesce(violent_offences.violent_offences, 0) as violent_offences,
        residents.residents,
        analysis_window.window_start_date,
        analysis_window.window_end_date,
        analysis_window.window_years
    from lsoas
    left join residents
        on lsoas.lsoa_code = residents.lsoa_code
    left join violent_offences
        on lsoas.lsoa_code = violent_offences.lsoa_code
    cross join analysis_window
),

final as (
    select
        'lsoa' as area_level,
        area_code,
        area_name,
        {{ suppress_count('violent_offences') }} as violent_offences,
        {{ is_below_threshold('violent_offences') }} as violent_offences_suppressed,
        cast(residents as bigint) as residents,
        case
            when not {{ is_below_threshold('violent_offences') }} and residents > 0
                then 1000.0 * violent_offences / residents / window_years
        end as violent_rate_per_1000_per_year,
        window_start_date,
        window_end_date
    from counted
)

select * from final
