-- One row per row of offence_persons.csv: checked. reject_reason is null for a row that
-- stg_police__offence_persons takes, else why stg_police__offence_persons_rejects has it.
-- The rows come pseudonymised, aged and with their home LSOA from
-- base_police__offence_persons_pseudonymised: the force's reference, the date of birth and
-- the home point never reach this model.

with

persons as not materialized (
    -- Not materialised: repeats and checked each scan the table (repeats four of its
    -- columns), where DuckDB would otherwise copy all 12 million rows into memory first.
    select * from {{ ref('base_police__offence_persons_pseudonymised') }}
),

repeats as (
    -- The duplicate check's window over the key and the row's position only: the other
    -- columns would be carried through its sort for nothing (12 million rows nationally).
    select
        source_row_number,
        {{ is_repeat_of_earlier_row(['crime_ref', 'person_id', 'role']) }} as is_repeat
    from persons
),

checked as (
    select
        persons.*,
        {{ first_reject_reason([
            ('missing_crime_ref', 'persons.crime_ref is null'),
            ('orphan_person_row', 'not persons.is_known_crime'),
            ('offence_rejected', 'not persons.is_staged_crime'),
            ('missing_person_ref', 'persons.person_id is null'),
            ('missing_role', 'persons.role is null'),
            ('duplicate_person_row', 'repeats.is_repeat'),
            ('impossible_date_of_birth',
                'persons.has_unreadable_age or persons.age_at_offence < 0'
                ~ ' or persons.age_at_offence > ' ~ var('max_age_at_offence')),
            ('unknown_sex', "persons.sex not in ('M', 'F', 'U')"),
            ('unknown_ethnicity',
                "persons.ethnicity not in ('White', 'Black', 'Asian', 'Mixed', 'Other')"),
            ('unparseable_coordinates', 'persons.has_unparseable_coordinates'),
            ('unparseable_school_urn', 'persons.has_unparseable_school_urn'),
        ], malformed_reason='persons.malformed_reason') }} as reject_reason
    from persons
    inner join repeats
        on persons.source_row_number = repeats.source_row_number
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
