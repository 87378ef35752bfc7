-- One row per row of vru_schools.csv (absent: no rows), checked.
with

raw_vru_schools as (
    {{ raw_rows('vru_schools.csv', source('vru', 'vru_schools'), {
        'urn': {'required': true},
        'programme': {},
        'added_on': {},
    }, required=false, allow_empty=true) }}
),

typed as (
    select
        source_row_number,
        malformed_reason,
        {{ parse_integer('urn') }} as urn,
        programme,
        {{ parse_date('added_on') }} as added_on,
        added_on as added_on_text
    from raw_vru_schools
),

checked as (
    select
        source_row_number,
        urn,
        programme,
        added_on,
        {{ first_reject_reason([
            ('unparseable_urn', 'urn is null'),
            ('unparseable_date', is_unreadable('added_on_text', 'added_on')),
            ('duplicate_urn_programme', is_repeat_of_earlier_row(['urn', 'programme'])),
        ], malformed_reason='malformed_reason') }} as reject_reason
    from typed
)

select * from checked
