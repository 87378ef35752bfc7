-- One row per school-aged violent offender (int_school_aged_violent_offenders): how the
-- person is attributed to schools (docs offender_attribution__outcome).
--
-- Direct: the force recorded the person's school and it is an open school with a
-- catchment, so the school (urn) gets the whole person. A recorded URN that is not such
-- a school (closed, unknown, outside the area, or without a catchment) names no school
-- the measures cover, so the person is shared out from home instead, like one with no
-- URN (has_unused_school_urn).
--
-- Shared: the person is split among the schools that draw pupils from their home LSOA
-- and teach their age, by the shares of int_violent_offender_school_shares for their
-- home and age. Otherwise unattributed, with the reason: no home, or no school teaching
-- their age with pupils from their home.
with

offenders as (
    select * from {{ ref('int_school_aged_violent_offenders') }}
),

shares as (
    select * from {{ ref('int_violent_offender_school_shares') }}
),

flows as (
    select * from {{ ref('int_catchment_flows_selected') }}
),

schools as (
    select * from {{ ref('int_school_rolls') }}
),

schools_with_catchment as (
    {{ schools_with_catchment('schools', 'flows') | indent(4) }}
),

homes_and_ages_in_reach as (
    select distinct
        home_lsoa_code,
        age_at_offence
    from shares
),

final as (
    select
        -- ids
        offenders.person_id,
        schools_with_catchment.urn,
        offenders.home_lsoa_code,

        -- attributes
        offenders.age_at_offence,
        case
            when schools_with_catchment.urn is not null then 'direct'
            when offenders.home_lsoa_code is null then 'unattributed_no_home'
            when homes_and_ages_in_reach.home_lsoa_code is not null then 'shared'
            else 'unattributed_no_school_in_reach'
        end as outcome,
        -- A school was recorded but is not an open school with a catchment, so the
        -- person was shared out from home (or not placed) instead.
        offenders.school_urn is not null
        and schools_with_catchment.urn is null as has_unused_school_urn
    from offenders
    left join schools_with_catchment
        on offenders.school_urn = schools_with_catchment.urn
    left join homes_and_ages_in_reach
        on
            offenders.home_lsoa_code = homes_and_ages_in_reach.home_lsoa_code
            and offenders.age_at_offence = homes_and_ages_in_reach.age_at_offence
)

select * from final
