-- One row per row of offence_persons.csv: pseudonymised, aged, home located and checked. The
-- force's person reference is replaced here by a keyed hash and the date of birth by the age
-- at offence: neither is selected beyond the first CTE, so neither is ever stored. The home
-- point is reduced to its LSOA here too, and is not stored either.

with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

offence_rows as (
    select * from {{ ref('base_police__offences') }}
),

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
    }, required=offence_source() == 'extract', allow_empty=true, reject_line_breaks=true,
        show_columns=false) }}
),

pseudonymisation_key as (
    -- Checked once: without a usable key the build stops here with a plain message.
    select pseudonymisation_key_problem() as problem
),

person_ids as (
    -- Each distinct reference hashed once (a person is on several rows; the keyed hash is
    -- the slowest step of staging).
    select
        refs.person_ref,
        case
            when pseudonymisation_key.problem is null then pseudonymise(refs.person_ref)
            else error(pseudonymisation_key.problem)
        end as person_id
    from (select distinct person_ref from raw_persons) as refs
    cross join pseudonymisation_key
),

pseudonymised as (
    select
        raw_persons.source_row_number,
        raw_persons.malformed_reason,
        raw_persons.crime_ref,
        person_ids.person_id,
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
        upper(raw_persons.home_lsoa_code) as recorded_home_lsoa_code,
        {{ parse_integer('raw_persons.school_urn') }} as school_urn,
        raw_persons.school_urn as school_urn_text
    from raw_persons
    left join person_ids
        on raw_persons.person_ref = person_ids.person_ref
),

offences as (
    -- Every row of offences.csv, to tell a person row of a rejected crime from an orphan.
    select
        crime_ref,
        bool_or(reject_reason is null) as is_staged,
        min(cast(committed_from_at as date)) filter (
            where reject_reason is null
        ) as committed_on
    from offence_rows
    where crime_ref is not null
    group by crime_ref
),

located as (
    -- In one LSOA; a point on a shared boundary goes to the lowest code (the macro's rule).
    {{ locate_in_lsoas('pseudonymised', 'source_row_number', 'home_easting', 'home_northing') }}
),

homes as (
    -- The home point decides when there is one; a recorded LSOA code only without a point.
    -- A home outside the study area is kept (people live outside the force area too).
    select
        pseudonymised.source_row_number,
        case
            when pseudonymised.home_easting is not null then located.lsoa_code
            else recorded_lsoas.lsoa_code
        end as home_lsoa_code,
        case
            when pseudonymised.home_easting is not null and located.lsoa_code is not null
                then 'point'
            when pseudonymised.home_easting is not null then 'outside_study_area'
            when recorded_lsoas.lsoa_code is not null then 'lsoa_code'
            when pseudonymised.recorded_home_lsoa_code is not null then 'outside_study_area'
            else 'none'
        end as home_location_source
    from pseudonymised
    left join located
        on pseudonymised.source_row_number = located.source_row_number
    left join lsoas as recorded_lsoas
        on pseudonymised.recorded_home_lsoa_code = recorded_lsoas.lsoa_code
),

aged as (
    select
        pseudonymised.*,
        homes.home_lsoa_code,
        homes.home_location_source,
        offences.crime_ref is not null as is_known_crime,
        coalesce(offences.is_staged, false) as is_staged_crime,
        {{ age_in_years('pseudonymised.born_on', 'offences.committed_on') }}
            as age_at_offence
    from pseudonymised
    left join homes
        on pseudonymised.source_row_number = homes.source_row_number
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
        ], malformed_reason='malformed_reason') }} as reject_reason
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
    home_lsoa_code,
    home_location_source,
    school_urn
from checked
