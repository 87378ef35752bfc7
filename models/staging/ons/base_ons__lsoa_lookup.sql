-- One row per row of lsoa_lookup.csv, checked. Any vintage of codes is read: the columns are
-- matched by pattern (LSOA21CD, MSOA11CD, WD24CD, LAD23CD, LA24CD, ...).

with

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
        source_row_number,
        upper(lsoa_code) as lsoa_code,
        lsoa_name,
        upper(msoa_code) as msoa_code,
        msoa_name,
        upper(ward_code) as ward_code,
        ward_name,
        upper(lad_code) as lad_code,
        lad_name,
        {{ first_reject_reason([
            ('missing_lsoa_code', 'lsoa_code is null'),
            ('duplicate_lsoa_code', is_repeat_of_earlier_row(['upper(lsoa_code)'])),
            ('missing_lad_code', 'lad_code is null'),
        ]) }} as reject_reason
    from raw_lookup
)

select * from checked
