with

checked as (
    select * from {{ ref('base_police__offence_persons') }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected.
intake as materialized (
    {{ intake_check(
        ref('base_police__offence_persons'), 'offence_persons.csv', required=false
    ) | indent(4) }}
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
    where reject_reason is null and (select intake.passes from intake)
)

select * from final
