-- One row per area and level (oa, lsoa, msoa, ward, lad, and one force row): counted violent
-- offences located in the area, residents, and the rate's exposure in thousands of
-- person-years. Higher levels are sums of their LSOAs through the best-fit lookup (macro
-- area_level_sums), so an area's parts always add up to it (the disclosure groups of
-- fct_area_violence rely on that). A level the lookup does not give (msoa and ward are
-- optional) has no rows. The force row (area_code 'force') sums every LSOA of the boundary
-- file, so it is the total of every other level too. Output areas, when their boundaries and
-- population are given, split their LSOA's offences exactly (each offence is located among
-- its own LSOA's output areas); their residents are the OA population's. Offences without a
-- location count in no area. No person is read: the youth-involved counts, which need
-- persons, are int_area_youth_violence_counts, over the same areas.
with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

lookup as (
    select * from {{ ref('stg_ons__lsoa_lookup') }}
),

residents as (
    select * from {{ ref('int_lsoa_residents') }}
),

offences as (
    select * from {{ ref('int_violent_offences_counted') }}
    where lsoa_code is not null
),

oa_residents as (
    select * from {{ ref('int_oa_residents') }}
),

offence_oas as (
    select * from {{ ref('int_violent_offences_located_in_oas') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

offences_by_lsoa as (
    select
        lsoa_code,
        count(*) as violent_offences
    from offences
    group by lsoa_code
),

lsoa_counts as (
    select
        lsoas.lsoa_code,
        lsoas.lsoa_name,
        lookup.msoa_code,
        lookup.msoa_name,
        lookup.ward_code,
        lookup.ward_name,
        lookup.lad_code,
        lookup.lad_name,
        coalesce(offences_by_lsoa.violent_offences, 0) as violent_offences,
        residents.residents
    from lsoas
    left join lookup
        on lsoas.lsoa_code = lookup.lsoa_code
    left join residents
        on lsoas.lsoa_code = residents.lsoa_code
    left join offences_by_lsoa
        on lsoas.lsoa_code = offences_by_lsoa.lsoa_code
),

-- The output areas, each with its LSOA's place in the lookup (every located offence is a
-- counted one with an LSOA).
oa_counts as (
    select
        oa_residents.oa_code,
        oa_residents.lsoa_code,
        lsoa_counts.msoa_code,
        lsoa_counts.ward_code,
        lsoa_counts.lad_code,
        count(offence_oas.crime_ref) as violent_offences,
        any_value(oa_residents.residents) as residents
    from oa_residents
    inner join lsoa_counts
        on oa_residents.lsoa_code = lsoa_counts.lsoa_code
    left join offence_oas
        on oa_residents.oa_code = offence_oas.oa_code
    group by all
),

area_counts as (
    {{ area_level_sums('lsoa_counts', 'oa_counts', ['violent_offences', 'residents']) }}
),

final as (
    select
        -- ids
        area_counts.area_level,
        area_counts.area_code,

        -- attributes
        area_counts.area_name,
        area_counts.lsoa_code,
        area_counts.msoa_code,
        area_counts.ward_code,
        area_counts.lad_code,

        -- measures
        cast(area_counts.violent_offences as bigint) as violent_offences,
        cast(area_counts.residents as bigint) as residents,
        area_counts.residents * analysis_window.window_years / 1000
            as resident_thousand_years,

        -- timestamps
        analysis_window.window_start_date,
        analysis_window.window_end_date
    from area_counts
    cross join analysis_window
)

select * from final
