-- One row per row of offence_persons.csv: pseudonymised, aged and checked. The force's person
-- reference is replaced here by a keyed hash and the date of birth by the age at offence:
-- neither is selected beyond the first CTE, so neither is ever stored.

with

raw_persons as (
    {{ raw_rows('offence_persons.csv', source('police', 'offence_persons'), {
        'crime_ref': {'required': true},
        'person_ref': {'required': true},
        'role': {'required': true},
        'date_of_birth': {},
        'sex': {},
        'ethnicity': {},
        'home_easting': {},
        'home_northing': {},
        'home_lsoa_code': {},
        'school_urn': {},
    }) }}
),

pseudonymisation_key as (
    -- Checked once: without a usable key the build stops here with a plain message.
    select pseudonymisation_key_problem() as problem
),

pseudonymised as (
    select
        raw_persons.source_row_number,
        raw_persons.crime_ref,
        case
            when pseudonymisation_key.problem is null then pseudonymise(raw_persons.person_ref)
            else error(pseudonymisation_key.problem)
        end as person_id,
        upper(raw_persons.role) as role,
        {{ parse_date('raw_persons.date_of_birth') }} as born_on,
        raw_persons.date_of_birth is not null as has_date_of_birth_text,
        upper(raw_persons.sex) as sex,
        -- The contract's five groups in its own capitalisation, whatever case the force uses.
        upper(left(raw_persons.ethnicity, 1)) || lower(substr(raw_persons.ethnicity, 2))
            as ethnicity,
        {{ parse_number('raw_persons.home_easting') }} as home_easting,
        {{ parse_number('raw_persons.home_northing') }} as home_northing,
        raw_persons.home_easting as home_easting_text,
        raw_persons.home_northing as home_northing_text,
        upper(raw_persons.home_lsoa_code) as home_lsoa_code,
        {{ parse_integer('raw_persons.school_urn') }} as school_urn,
        raw_persons.school_urn as school_urn_text
    from raw_persons
    cross join pseudonymisation_key
),

offences as (
    -- Every row of offences.csv, to tell a person row of a rejected crime from an orphan.
    select
        crime_ref,
        bool_or(reject_reason is null) as is_staged,
        min(cast(committed_from_at as date)) filter (
            where reject_reason is null
        ) as committed_on
    from {{ ref('base_police__offences') }}
    where crime_ref is not null
    group by crime_ref
),

aged as (
    select
        pseudonymised.*,
        offences.crime_ref is not null as is_known_crime,
        coalesce(offences.is_staged, false) as is_staged_crime,
        {{ age_in_years('pseudonymised.born_on', 'offences.committed_on') }}
            as age_at_offence
    from pseudonymised
    left join offences
        on pseudonymised.crime_ref = offences.crime_ref
),

checked as (
    select
        *,
        {{ first_reject_reason([
            ('missing_crime_ref', 'crime_ref is null'),
            ('orphan_person_row', 'not is_known_crime'),
            ('offence_rejected', 'not is_staged_crime'),
            ('missing_person_ref', 'person_id is null'),
            ('missing_role', 'role is null'),
            ('duplicate_person_row', is_repeat_of_earlier_row(['crime_ref', 'person_id', 'role'])),
            ('impossible_date_of_birth',
                '(has_date_of_birth_text and born_on is null) or age_at_offence < 0'
                ~ ' or age_at_offence > ' ~ var('max_age_at_offence')),
            ('unknown_sex', "sex not in ('M', 'F', 'U')"),
            ('unknown_ethnicity',
                "ethnicity not in ('White', 'Black', 'Asian', 'Mixed', 'Other')"),
            ('unparseable_coordinates',
                is_unreadable('home_easting_text', 'home_easting')
                ~ ' or ' ~ is_unreadable('home_northing_text', 'home_northing')
                ~ ' or ((home_easting is null) != (home_northing is null))'),
            ('unparseable_school_urn', is_unreadable('school_urn_text', 'school_urn')),
        ]) }} as reject_reason
    from aged
)

select
    source_row_number,
    reject_reason,
    crime_ref,
    person_id,
    role,
    age_at_offence,
    sex,
    ethnicity,
    home_easting,
    home_northing,
    home_lsoa_code,
    school_urn
from checked
