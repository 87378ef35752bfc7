with

checked as (
    select * from {{ ref('base_police__offence_persons') }}
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
        role in ('SUSPECT', 'OFFENDER') as is_suspect_or_offender,
        role = 'VICTIM' as is_victim,
        home_location_source
    from checked
    where reject_reason is null
)

select * from final
