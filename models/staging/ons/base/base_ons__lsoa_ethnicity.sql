-- One row per data row of lsoa_ethnicity.csv (absent: no rows), checked: residents of an
-- LSOA in one of the ONS 5 broad ethnic groups (Census 2021), in an age band where the source
-- gives one. An age band is read from its numbers, so `10-15`, `10 to 15`, `Aged 10 to 15
-- years`, `90+` and `Aged 90 years and over` all work; no band (or `all`, `total`) is all
-- ages.
{%- set lsoa_code_names = [
    'lsoa_code', '^lsoa ?(\\d\\d)?[ _]?(cd|code)$', '^lower layer super output areas? code$'] %}
with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

raw_ethnicity as (
    {{ raw_rows('lsoa_ethnicity.csv', source('ons', 'lsoa_ethnicity'), {
        'lsoa_code': {'required': true, 'names': lsoa_code_names},
        'ethnic_group': {'required': true},
        'population': {'required': true},
        'age_band': {},
    }, required=false, allow_empty=true) }}
),

typed as (
    select
        raw_ethnicity.source_row_number,
        raw_ethnicity.malformed_reason,
        upper(raw_ethnicity.lsoa_code) as lsoa_code,
        lsoas.lsoa_code is not null as is_in_study_area,
        -- Census labels such as "Asian, Asian British or Asian Welsh" start with the group.
        upper(regexp_extract(lower(trim(raw_ethnicity.ethnic_group)), '^[a-z]', 0))
        || regexp_extract(lower(trim(raw_ethnicity.ethnic_group)), '^[a-z]([a-z]*)', 1)
            as ethnic_group,
        trim(raw_ethnicity.age_band) as age_band,
        regexp_extract_all(raw_ethnicity.age_band, '\d+') as age_band_numbers,
        coalesce(
            regexp_matches(lower(raw_ethnicity.age_band), '\+|over|older'), false
        ) as is_open_band,
        coalesce(regexp_matches(lower(raw_ethnicity.age_band), 'under|younger'), false)
            as is_under_band,
        {{ parse_number('raw_ethnicity.population', thousands=true) }} as population
    from raw_ethnicity
    left join lsoas
        on upper(raw_ethnicity.lsoa_code) = lsoas.lsoa_code
),

banded as (
    select
        *,
        case
            when coalesce(lower(age_band), '') in ('', 'all', 'all ages', 'total') then 0
            when len(age_band_numbers) = 1 and is_under_band then 0
            when len(age_band_numbers) in (1, 2) then cast(age_band_numbers[1] as integer)
        end as age_min,
        case
            when coalesce(lower(age_band), '') in ('', 'all', 'all ages', 'total') then 90
            when len(age_band_numbers) = 1 and is_open_band then 90
            when len(age_band_numbers) = 1 then cast(age_band_numbers[1] as integer)
            when len(age_band_numbers) = 2 then cast(age_band_numbers[2] as integer)
        end as age_max,
        coalesce(lower(age_band), '') in ('', 'all', 'all ages', 'total') as is_all_ages
    from typed
),

checked as (
    select
        source_row_number,
        lsoa_code,
        ethnic_group,
        age_min,
        age_max,
        is_all_ages,
        population,
        {{ first_reject_reason([
            ('missing_lsoa_code', 'lsoa_code is null'),
            ('outside_study_area', 'not is_in_study_area'),
            ('unknown_ethnic_group',
                "ethnic_group is null"
                ~ " or ethnic_group not in ('White', 'Black', 'Asian', 'Mixed', 'Other')"),
            ('unparseable_age_band',
                'age_min is null or age_max is null or age_min > age_max or age_max > 90'),
            ('unparseable_population', 'population is null or population < 0'),
            ('duplicate_lsoa_group_band',
                is_repeat_of_earlier_row(['lsoa_code', 'ethnic_group', 'age_min', 'age_max'])),
        ], malformed_reason='malformed_reason') }} as reject_reason
    from banded
)

select * from checked
