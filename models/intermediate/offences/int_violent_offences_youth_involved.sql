-- One row per counted violent offence (int_violent_offences_counted): whether a suspect or
-- offender, or a victim, was school-aged at the offence (int_offence_persons_school_aged).
-- is_youth_involved, either of them, is the numerator of the youth-violence rates
-- (int_area_youth_violence_counts) and of violence near schools. A model of its own so that
-- the all-violence measures, which need no person, do not wait for the person extract.
with

offences as (
    select * from {{ ref('int_violent_offences_counted') }}
),

persons as (
    select * from {{ ref('int_offence_persons_school_aged') }}
),

school_aged_roles as (
    select
        crime_ref,
        bool_or(is_school_aged and is_suspect_or_offender) as has_school_aged_suspect,
        bool_or(is_school_aged and is_victim) as has_school_aged_victim
    from persons
    group by crime_ref
),

final as (
    select
        -- ids
        offences.crime_ref,

        -- attributes
        coalesce(school_aged_roles.has_school_aged_suspect, false)
            as has_school_aged_suspect,
        coalesce(school_aged_roles.has_school_aged_victim, false)
            as has_school_aged_victim,
        coalesce(
            school_aged_roles.has_school_aged_suspect
            or school_aged_roles.has_school_aged_victim,
            false
        ) as is_youth_involved
    from offences
    left join school_aged_roles
        on offences.crime_ref = school_aged_roles.crime_ref
)

select * from final
