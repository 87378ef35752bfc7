-- One row per distinct person who was a school-aged suspect or offender of a counted violent
-- offence (int_violent_offences_counted). A person named in several offences is one person:
-- the age, school and home are those recorded at their latest such offence, falling back to
-- the latest offence that recorded them (a force may record the school on one crime only).
-- Sex and ethnic group likewise (used only in the aggregated bias checks).
with

persons as (
    select * from {{ ref('int_offence_persons_school_aged') }}
    where is_school_aged and is_suspect_or_offender
),

offences as (
    select * from {{ ref('int_violent_offences_counted') }}
),

involvements as (
    select
        persons.person_id,
        persons.age_at_offence,
        persons.school_urn,
        persons.home_lsoa_code,
        persons.sex,
        persons.ethnicity,
        offences.committed_from_at,
        offences.crime_ref
    from persons
    inner join offences
        on persons.crime_ref = offences.crime_ref
),

final as (
    select
        -- ids
        person_id,
        arg_max(school_urn, (committed_from_at, crime_ref)) filter (
            where school_urn is not null
        ) as school_urn,
        arg_max(home_lsoa_code, (committed_from_at, crime_ref)) filter (
            where home_lsoa_code is not null
        ) as home_lsoa_code,

        -- attributes
        arg_max(age_at_offence, (committed_from_at, crime_ref)) as age_at_offence,
        arg_max(sex, (committed_from_at, crime_ref)) filter (
            where sex is not null and sex != 'U'
        ) as sex,
        arg_max(ethnicity, (committed_from_at, crime_ref)) filter (
            where ethnicity is not null
        ) as ethnicity,

        -- measures
        count(distinct crime_ref) as violent_offences
    from involvements
    group by person_id
)

select * from final
