-- One row per area and level of int_area_violence_counts (the same areas, oa to force): the
-- counted violent offences located in the area that involve a school-aged suspect, offender
-- or victim (int_violent_offences_youth_involved), the resident children aged 4-17, and the
-- youth rate's exposure in thousands of child-years. The levels are summed from the LSOAs as
-- the all-violence counts are (macro area_level_sums), and output areas take the offences
-- located in them (int_violent_offences_located_in_oas), so the parts of an area add up to
-- it here too. A model of its own because it needs persons and the all-violence counts do
-- not.
with

areas as (
    select * from {{ ref('int_area_violence_counts') }}
    where area_level in ('oa', 'lsoa')
),

offences as (
    select * from {{ ref('int_violent_offences_counted') }}
    where lsoa_code is not null
),

youth_involved as (
    select * from {{ ref('int_violent_offences_youth_involved') }}
    where is_youth_involved
),

offence_oas as (
    select * from {{ ref('int_violent_offences_located_in_oas') }}
),

residents as (
    select * from {{ ref('int_lsoa_residents') }}
),

oa_residents as (
    select * from {{ ref('int_oa_residents') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

youth_offences as (
    select
        offences.crime_ref,
        offences.lsoa_code
    from offences
    inner join youth_involved
        on offences.crime_ref = youth_involved.crime_ref
),

offences_by_lsoa as (
    select
        lsoa_code,
        count(*) as youth_violent_offences
    from youth_offences
    group by lsoa_code
),

offences_by_oa as (
    select
        offence_oas.oa_code,
        count(*) as youth_violent_offences
    from offence_oas
    inner join youth_offences
        on offence_oas.crime_ref = youth_offences.crime_ref
    group by offence_oas.oa_code
),

-- The LSOAs and output areas with their places in the lookup, as the all-violence counts
-- have them.
lsoa_counts as (
    select
        areas.area_code as lsoa_code,
        areas.msoa_code,
        areas.ward_code,
        areas.lad_code,
        coalesce(offences_by_lsoa.youth_violent_offences, 0) as youth_violent_offences,
        residents.resident_children
    from areas
    left join residents
        on areas.area_code = residents.lsoa_code
    left join offences_by_lsoa
        on areas.area_code = offences_by_lsoa.lsoa_code
    where areas.area_level = 'lsoa'
),

oa_counts as (
    select
        areas.area_code as oa_code,
        areas.lsoa_code,
        areas.msoa_code,
        areas.ward_code,
        areas.lad_code,
        coalesce(offences_by_oa.youth_violent_offences, 0) as youth_violent_offences,
        oa_residents.resident_children
    from areas
    inner join oa_residents
        on areas.area_code = oa_residents.oa_code
    left join offences_by_oa
        on areas.area_code = offences_by_oa.oa_code
    where areas.area_level = 'oa'
),

area_counts as (
    {{ area_level_sums(
        'lsoa_counts', 'oa_counts', ['youth_violent_offences', 'resident_children'],
        with_names=false
    ) }}
),

final as (
    select
        -- ids
        area_counts.area_level,
        area_counts.area_code,

        -- measures
        cast(area_counts.youth_violent_offences as bigint) as youth_violent_offences,
        cast(area_counts.resident_children as bigint) as resident_children,
        area_counts.resident_children * analysis_window.window_years / 1000
            as child_thousand_years
    from area_counts
    cross join analysis_window
)

select * from final
