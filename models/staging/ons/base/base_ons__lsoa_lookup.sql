-- One row per row of lsoa_lookup.csv, checked. Any vintage of codes is read: the columns are
-- matched by pattern (LSOA21CD, MSOA11CD, WD24CD, LAD23CD, LA24CD, ...). Rows for LSOAs that
-- are not among the boundaries (a national lookup) are rejected as outside_study_area.

with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

raw_lookup as (
    {{ raw_rows('lsoa_lookup.csv', source('ons', 'lsoa_lookup'), {
        'lsoa_code': {'required': true, 'names': ['lsoa_code', '^lsoa\\d\\dcd$']},
        'lsoa_name': {'names': ['lsoa_name', '^lsoa\\d\\dnm$']},
        'msoa_code': {'names': ['msoa_code', '^msoa\\d\\dcd$']},
        'msoa_name': {'names': ['msoa_name', '^msoa\\d\\dnm$']},
        'ward_code': {'names': ['ward_code', '^wd\\d\\dcd$']},
        'ward_name': {'names': ['ward_name', '^wd\\d\\dnm$']},
        'lad_code': {
            'required': true, 'names': ['lad_code', '^lad\\d\\dcd$', '^la\\d\\dcd$']},
        'lad_name': {'names': ['lad_name', '^lad\\d\\dnm$', '^la\\d\\dnm$']},
    }) }}
),

checked as (
    select
        raw_lookup.source_row_number,
        upper(raw_lookup.lsoa_code) as lsoa_code,
        raw_lookup.lsoa_name,
        upper(raw_lookup.msoa_code) as msoa_code,
        raw_lookup.msoa_name,
        upper(raw_lookup.ward_code) as ward_code,
        raw_lookup.ward_name,
        upper(raw_lookup.lad_code) as lad_code,
        raw_lookup.lad_name,
        {{ first_reject_reason([
            ('missing_lsoa_code', 'raw_lookup.lsoa_code is null'),
            ('outside_study_area', 'lsoas.lsoa_code is null'),
            ('duplicate_lsoa_code', is_repeat_of_earlier_row(['upper(raw_lookup.lsoa_code)'])),
            ('missing_lad_code', 'raw_lookup.lad_code is null'),
        ], malformed_reason='raw_lookup.malformed_reason') }} as reject_reason
    from raw_lookup
    left join lsoas
        on upper(raw_lookup.lsoa_code) = lsoas.lsoa_code
)

select * from checked
