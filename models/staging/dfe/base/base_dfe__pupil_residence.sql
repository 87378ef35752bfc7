-- One row per row of pupil_residence.csv (absent: no rows), checked. A suppressed marker
-- (c, x, <5, *) means a small positive count: is_suppressed is true and pupils is null.
with

raw_residence as (
    {{ raw_rows('pupil_residence.csv', source('dfe', 'pupil_residence'), {
        'urn': {'required': true},
        'lsoa_code': {'required': true, 'names': ['lsoa_code', '^lsoa\\d\\dcd$']},
        'pupils': {'required': true},
    }, required=false, allow_empty=true) }}
),

typed as (
    select
        source_row_number,
        malformed_reason,
        {{ parse_integer('urn') }} as urn,
        upper(lsoa_code) as lsoa_code,
        lower(pupils) in ('c', 'x', '<5', '*') as is_suppressed,
        -- A count: 12.0 reads as 12, 12.5 is unreadable (a share or an estimate, not the
        -- census). A double, as the catchment models take it.
        cast({{ parse_integer('pupils') }} as double) as pupils,
        pupils as pupils_text
    from raw_residence
),

checked as (
    select
        source_row_number,
        urn,
        lsoa_code,
        is_suppressed,
        pupils,
        {{ first_reject_reason([
            ('unparseable_urn', 'urn is null'),
            ('missing_lsoa_code', 'lsoa_code is null'),
            ('unparseable_pupils',
                'not is_suppressed and (pupils is null or pupils < 0)'),
            ('duplicate_urn_lsoa', is_repeat_of_earlier_row(['urn', 'lsoa_code'])),
        ], malformed_reason='malformed_reason') }} as reject_reason
    from typed
)

select * from checked
