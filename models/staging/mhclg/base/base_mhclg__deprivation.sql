-- One row per row of deprivation.csv (absent: no rows), checked. The official File 1/5 column
-- names are read as well as lsoa_code, imd_score, imd_decile.
with

raw_deprivation as (
    {{ raw_rows('deprivation.csv', source('mhclg', 'deprivation'), {
        'lsoa_code': {'required': true, 'names': [
            'lsoa_code', '^lsoa code \\(20\\d\\d\\)$', '^lsoa\\d\\dcd$']},
        'imd_score': {'names': [
            'imd_score', 'index of multiple deprivation (imd) score']},
        'imd_decile': {'required': true, 'names': [
            'imd_decile',
            'index of multiple deprivation (imd) decile (where 1 is most deprived 10% of lsoas)',
            'index of multiple deprivation (imd) decile']},
    }, required=false, allow_empty=true) }}
),

typed as (
    select
        source_row_number,
        malformed_reason,
        upper(lsoa_code) as lsoa_code,
        {{ parse_number('imd_score') }} as imd_score,
        imd_score as imd_score_text,
        {{ parse_integer('imd_decile') }} as imd_decile
    from raw_deprivation
),

checked as (
    select
        source_row_number,
        lsoa_code,
        imd_score,
        imd_decile,
        {{ first_reject_reason([
            ('missing_lsoa_code', 'lsoa_code is null'),
            ('unparseable_imd',
                is_unreadable('imd_score_text', 'imd_score')
                ~ ' or imd_decile is null or imd_decile not between 1 and 10'),
            ('duplicate_lsoa_code', is_repeat_of_earlier_row(['lsoa_code'])),
        ], malformed_reason='malformed_reason') }} as reject_reason
    from typed
)

select * from checked
