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

        -- geometry
        home_easting,
        home_northing,
        case
            when home_easting is not null then st_point(home_easting, home_northing)
        end as home_geom
    from checked
    where reject_reason is null
)

select * from final
