-- One row per row of schools.csv, typed, located in an LSOA and checked. GIAS's own column
-- names and the snake_case ones are both read; age ranges missing from GIAS come from the
-- phase. A national GIAS file is accepted as it is: its schools outside the study area are
-- rejected as outside_study_area.

with

phase_age_ranges as (
    select * from {{ ref('phase_age_ranges') }}
),

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

raw_schools as (
    {{ raw_rows('schools.csv', source('gias', 'schools'), {
        'urn': {'required': true},
        'school_name': {
            'required': true, 'names': ['EstablishmentName', 'establishment_name']},
        'establishment_type': {
            'required': true,
            'names': ['TypeOfEstablishment (name)', 'establishment_type']},
        'establishment_status': {
            'names': ['EstablishmentStatus (name)', 'establishment_status']},
        'phase': {
            'required': true, 'names': ['PhaseOfEducation (name)', 'education_phase']},
        'statutory_low_age': {'names': ['StatutoryLowAge', 'statutory_low_age']},
        'statutory_high_age': {'names': ['StatutoryHighAge', 'statutory_high_age']},
        'number_of_pupils': {'names': ['NumberOfPupils', 'number_of_pupils']},
        'school_capacity': {'names': ['SchoolCapacity', 'school_capacity']},
        'la_code': {'required': true, 'names': ['LA (code)', 'la_code']},
        'la_name': {'required': true, 'names': ['LA (name)', 'la_name']},
        'easting': {'required': true},
        'northing': {'required': true},
        'religious_character': {
            'names': ['ReligiousCharacter (name)', 'religious_character']},
        'admissions_policy': {'names': ['AdmissionsPolicy (name)', 'admissions_policy']},
    }) }}
),

typed as (
    select
        raw_schools.source_row_number,
        raw_schools.malformed_reason,
        {{ parse_integer('raw_schools.urn') }} as urn,
        raw_schools.urn as urn_text,
        raw_schools.school_name,
        raw_schools.establishment_type,
        -- GIAS status is absent from some extracts: every row is then taken as open.
        coalesce(raw_schools.establishment_status, 'Open') as establishment_status,
        raw_schools.phase,
        raw_schools.la_code,
        raw_schools.la_name,
        raw_schools.religious_character,
        raw_schools.admissions_policy,
        {{ parse_integer('raw_schools.number_of_pupils') }} as pupils_on_roll,
        raw_schools.number_of_pupils as pupils_on_roll_text,
        -- Capacity only stands in for an empty roll (int_school_rolls): a value that is not a
        -- whole number, or below 0, leaves it empty rather than rejecting the school.
        {{ parse_integer('raw_schools.school_capacity') }} as school_capacity,
        {{ parse_integer('raw_schools.statutory_low_age') }} as statutory_low_age,
        {{ parse_integer('raw_schools.statutory_high_age') }} as statutory_high_age,
        raw_schools.statutory_low_age as low_age_text,
        raw_schools.statutory_high_age as high_age_text,
        phase_age_ranges.default_low_age,
        phase_age_ranges.default_high_age,
        {{ parse_number('raw_schools.easting', thousands=true) }} as easting,
        {{ parse_number('raw_schools.northing', thousands=true) }} as northing,
        raw_schools.easting as easting_text,
        raw_schools.northing as northing_text
    from raw_schools
    left join phase_age_ranges
        on lower(raw_schools.phase) = lower(phase_age_ranges.phase)
),

located as (
    -- In one LSOA; a point on a shared boundary goes to the lowest code (the macro's rule).
    {{ locate_in_lsoas('typed', 'source_row_number', 'easting', 'northing') | indent(4) }}
),

joined as (
    select
        typed.*,
        located.lsoa_code
    from typed
    left join located
        on typed.source_row_number = located.source_row_number
),

checked as (
    select
        *,
        coalesce(statutory_low_age, default_low_age) as low_age,
        coalesce(statutory_high_age, default_high_age) as high_age,
        -- GIAS records an unknown location as easting 0, northing 0: missing, not a place.
        -- A point in degrees (longitude and latitude) or off the grid is unparseable (macro
        -- is_unparseable_point, as for offences and persons): taken for a school outside the
        -- study area, which max_reject_share does not count, it would leave no school staged
        -- and the wrong hint.
        {{ first_reject_reason([
            ('missing_urn', 'urn_text is null'),
            ('unparseable_urn', 'urn is null'),
            ('duplicate_urn', is_repeat_of_earlier_row(['urn'])),
            ('missing_school_name', 'school_name is null'),
            ('missing_coordinates',
                'easting_text is null or northing_text is null'
                ~ ' or (easting = 0 and northing = 0)'),
            ('unparseable_coordinates',
                is_unparseable_point('easting_text', 'easting', 'northing_text', 'northing')),
            ('outside_study_area', 'lsoa_code is null'),
            ('unparseable_number_of_pupils',
                is_unreadable('pupils_on_roll_text', 'pupils_on_roll')
                ~ ' or pupils_on_roll < 0'),
            ('unparseable_age_range',
                is_unreadable('low_age_text', 'statutory_low_age')
                ~ ' or ' ~ is_unreadable('high_age_text', 'statutory_high_age')
                ~ ' or coalesce(statutory_low_age, default_low_age)'
                ~ ' > coalesce(statutory_high_age, default_high_age)'),
            ('unknown_phase', 'default_low_age is null and statutory_low_age is null'),
        ], malformed_reason='malformed_reason') }} as reject_reason
    from joined
)

select
    source_row_number,
    reject_reason,
    urn,
    school_name,
    establishment_type,
    establishment_status,
    phase,
    la_code,
    la_name,
    religious_character,
    admissions_policy,
    pupils_on_roll,
    case when school_capacity >= 0 then school_capacity end as school_capacity,
    low_age,
    high_age,
    statutory_low_age is null or statutory_high_age is null as is_age_range_from_phase,
    easting,
    northing,
    lsoa_code
from checked
