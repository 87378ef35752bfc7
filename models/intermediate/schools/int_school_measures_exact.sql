-- One row per open school with pupils (a school with a catchment; every open school has one,
-- a test checks): who it is, and its exposure measures from exact counts, before disclosure
-- control and ranking (fct_school_exposure). Missing inputs: a school with no recorded
-- offender or no offence near it has 0, not null.
with

rolls as (
    select * from {{ ref('int_school_rolls') }}
),

schools as (
    select * from {{ ref('stg_gias__schools') }}
),

exposure as (
    select * from {{ ref('int_school_home_area_violence') }}
),

offenders as (
    select * from {{ ref('int_school_violent_offender_counts') }}
),

near_school as (
    select * from {{ ref('int_school_near_commute_violence') }}
),

vru_schools as (
    select distinct urn from {{ ref('stg_vru__vru_schools') }}
),

final as (
    select
        -- ids
        rolls.urn,
        schools.la_code,

        -- attributes
        schools.school_name,
        rolls.phase,
        rolls.establishment_type,
        schools.la_name,
        rolls.low_age,
        rolls.high_age,
        rolls.roll_source,
        exposure.catchment_method,
        vru_schools.urn is not null as on_vru_list,

        -- measures
        rolls.pupils_on_roll,
        exposure.exposure_violence_rate,
        exposure.exposure_violence_rate_lower,
        exposure.exposure_violence_rate_upper,
        exposure.exposure_variance,
        exposure.force_violent_rate_per_1000_per_year,
        exposure.pupils_from_high_violence_areas,
        exposure.pupils_from_high_violence_areas_variance,
        coalesce(offenders.direct_violent_offenders, 0) as direct_violent_offenders,
        coalesce(offenders.shared_violent_offenders, 0) as shared_violent_offenders,
        coalesce(offenders.school_aged_violent_offenders, 0) as school_aged_violent_offenders,
        coalesce(near_school.near_school_commute_violence, 0) as near_school_commute_violence
    from rolls
    inner join exposure
        on rolls.urn = exposure.urn
    inner join schools
        on rolls.urn = schools.urn
    left join offenders
        on rolls.urn = offenders.urn
    left join near_school
        on rolls.urn = near_school.urn
    left join vru_schools
        on rolls.urn = vru_schools.urn
)

select * from final
