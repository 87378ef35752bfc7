-- One row per staged person row: whether the person was school-aged at the offence. The
-- lower bound differs by role (DESIGN.md "School-aged"): suspects and offenders from var
-- school_age_min_offender (10, the age of criminal responsibility), victims from var
-- school_age_min_victim (4); both up to var school_age_max (17). Other roles (witnesses) and
-- persons without a date of birth are never school-aged.
with

persons as (
    select * from {{ ref('stg_police__offence_persons') }}
),

final as (
    select
        -- ids
        crime_ref,
        person_id,
        role,
        school_urn,
        home_lsoa_code,

        -- attributes
        age_at_offence,
        sex,
        ethnicity,
        is_suspect_or_offender,
        is_victim,
        coalesce(
            (
                is_suspect_or_offender
                and age_at_offence between {{ var('school_age_min_offender') }}
                and {{ var('school_age_max') }}
            )
            or (
                is_victim
                and age_at_offence between {{ var('school_age_min_victim') }}
                and {{ var('school_age_max') }}
            ),
            false
        ) as is_school_aged
    from persons
)

select * from final
