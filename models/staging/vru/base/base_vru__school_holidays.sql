-- One row per row of school_holidays.csv (absent: no rows), checked.
with

raw_holidays as (
    {{ raw_rows('school_holidays.csv', source('vru', 'school_holidays'), {
        'start_date': {'required': true},
        'end_date': {'required': true},
        'description': {},
    }, required=false, allow_empty=true) }}
),

typed as (
    select
        source_row_number,
        malformed_reason,
        {{ parse_date('start_date') }} as start_date,
        {{ parse_date('end_date') }} as end_date,
        description
    from raw_holidays
),

checked as (
    select
        source_row_number,
        start_date,
        end_date,
        description,
        {{ first_reject_reason([
            ('unparseable_date', 'start_date is null or end_date is null'),
            ('inconsistent_dates', 'end_date < start_date'),
        ], malformed_reason='malformed_reason') }} as reject_reason
    from typed
)

select * from checked
