-- One row per area and level (oa, lsoa, msoa, ward, lad, and one force row): counted violent
-- offences located in the area, those involving a school-aged person, residents and resident
-- children, and the exposures of the rates in thousands of person-years. Higher levels are
-- sums of their LSOAs through the best-fit lookup, so an area's parts always add up to it (the
-- disclosure groups of fct_area_violence rely on that). A level the lookup does not give
-- (msoa and ward are optional) has no rows. The force row (area_code 'force') sums every
-- LSOA of the boundary file, so it is the total of every other level too. Output areas, when
-- their boundaries and population are given, split their LSOA's offences exactly (each
-- offence is located among its own LSOA's output areas); their residents are the OA
-- population's. Offences without a location count in no area.
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
        count(*) as violent_offences,
        count(*) filter (where is_youth_involved) as youth_violent_offences
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
        coalesce(offences_by_lsoa.youth_violent_offences, 0) as youth_violent_offences,
        residents.residents,
        residents.resident_children
    from lsoas
    left join lookup
        on lsoas.lsoa_code = lookup.lsoa_code
    left join residents
        on lsoas.lsoa_code = residents.lsoa_code
    left join offences_by_lsoa
        on lsoas.lsoa_code = offences_by_lsoa.lsoa_code
),

-- The output areas, each with its LSOA's place in the lookup.
oa_counts as (
    select
        oa_residents.oa_code,
        oa_residents.lsoa_code,
        lsoa_counts.msoa_code,
        lsoa_counts.ward_code,
        lsoa_counts.lad_code,
        count(offences.crime_ref) as violent_offences,
        count(offences.crime_ref) filter (where offences.is_youth_involved)
            as youth_violent_offences,
        any_value(oa_residents.residents) as residents,
        any_value(oa_residents.resident_children) as resident_children
    from oa_residents
    inner join lsoa_counts
        on oa_residents.lsoa_code = lsoa_counts.lsoa_code
    left join offence_oas
        on oa_residents.oa_code = offence_oas.oa_code
    left join offences
        on offence_oas.crime_ref = offences.crime_ref
    group by all
),

{%- set levels = {
    'lsoa': {'code': 'lsoa_code', 'name': 'lsoa_name', 'lsoa': 'lsoa_code',
             'msoa': 'msoa_code', 'ward': 'ward_code', 'lad': 'lad_code'},
    'msoa': {'code': 'msoa_code', 'name': 'msoa_name', 'lsoa': 'null',
             'msoa': 'msoa_code', 'ward': 'null', 'lad': 'lad_code'},
    'ward': {'code': 'ward_code', 'name': 'ward_name', 'lsoa': 'null',
             'msoa': 'null', 'ward': 'ward_code', 'lad': 'lad_code'},
    'lad': {'code': 'lad_code', 'name': 'lad_name', 'lsoa': 'null',
            'msoa': 'null', 'ward': 'null', 'lad': 'lad_code'},
    'force': {'code': "'force'", 'name': "'Force area'", 'lsoa': 'null',
              'msoa': 'null', 'ward': 'null', 'lad': 'null'},
} %}

area_counts as (
    select
        'oa' as area_level,
        oa_code as area_code,
        -- ONS names no output area: its code is its name.
        oa_code as area_name,
        lsoa_code,
        msoa_code,
        ward_code,
        lad_code,
        violent_offences,
        youth_violent_offences,
        residents,
        resident_children
    from oa_counts
    {%- for level, columns in levels.items() %}

        union all
        select
            '{{ level }}' as area_level,
            {{ columns.code }} as area_code,
            -- A best-fit lookup gives one name per code; any_value guards against variants.
            any_value({{ columns.name }}) as area_name,
            any_value({{ columns.lsoa }}) as lsoa_code,
            any_value({{ columns.msoa }}) as msoa_code,
            any_value({{ columns.ward }}) as ward_code,
            any_value({{ columns.lad }}) as lad_code,
            sum(violent_offences) as violent_offences,
            sum(youth_violent_offences) as youth_violent_offences,
            sum(residents) as residents,
            sum(resident_children) as resident_children
        from lsoa_counts
        where {{ columns.code }} is not null
        group by {{ columns.code }}
    {%- endfor %}
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
        cast(area_counts.youth_violent_offences as bigint) as youth_violent_offences,
        cast(area_counts.residents as bigint) as residents,
        cast(area_counts.resident_children as bigint) as resident_children,
        area_counts.residents * analysis_window.window_years / 1000
            as resident_thousand_years,
        area_counts.resident_children * analysis_window.window_years / 1000
            as child_thousand_years,

        -- timestamps
        analysis_window.window_start_date,
        analysis_window.window_end_date
    from area_counts
    cross join analysis_window
)

select * from final
