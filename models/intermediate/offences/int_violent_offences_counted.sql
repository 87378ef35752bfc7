-- One row per offence that the measures count: violent (var violence_categories), committed
-- in the analysis window, not cancelled. is_youth_involved marks those with at least one
-- school-aged suspect, offender or victim (int_offence_persons_school_aged), the numerator of
-- the youth-violence rates and of violence near schools.
with

offences as (
    select * from {{ ref('int_offences_classified') }}
    where is_violent and is_in_window and not is_cancelled
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
        offences.lsoa_code,

        -- attributes
        offences.offence_category,
        offences.is_serious_violence,
        offences.is_knife_crime,
        offences.is_proactive,
        coalesce(school_aged_roles.has_school_aged_suspect, false)
            as has_school_aged_suspect,
        coalesce(school_aged_roles.has_school_aged_victim, false)
            as has_school_aged_victim,
        coalesce(
            school_aged_roles.has_school_aged_suspect
            or school_aged_roles.has_school_aged_victim,
            false
        ) as is_youth_involved,

        -- timestamps
        offences.committed_from_at,

        -- geometry
        offences.geom
    from offences
    left join school_aged_roles
        on offences.crime_ref = school_aged_roles.crime_ref
)

select * from final
