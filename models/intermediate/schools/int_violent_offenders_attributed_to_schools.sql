-- One row per school-aged violent offender and school the person is attributed to,
-- with the share of the person the school gets (a person's shares add up to 1).
--
-- Direct: the force recorded the person's school and it is an open school with a
-- catchment, so the school gets the whole person (share 1). A recorded URN that is not
-- such a school (closed, unknown, outside the area, or without a catchment) names no
-- school the measures cover, so the person is shared out from home instead, like one
-- with no URN.
--
-- Shared: the person is split among the schools that draw pupils from their home LSOA
-- (F(l, s) > 0) and teach their age, in proportion to F(l, s), the school's expected
-- pupils from that LSOA (of all the ages it teaches). The age test includes both ends,
-- low_age <= age <= high_age, although the catchments teach [low_age, high_age): those
-- are ages at the start of the school year, ours is the age on the offence date, up to
-- a year older. A pupil in the last year of an 11-16 school turns 16 during it; an
-- exclusive end would drop every 16-year-old from 11-16 schools and every 11-year-old
-- from primaries.
--
-- Persons with neither (no usable school and no home LSOA, or no school teaching their
-- age with pupils from their home) have no row here: the model
-- int_violent_offender_attribution_summary counts them, so none is lost silently.
with

offenders as (
    select * from {{ ref('int_school_aged_violent_offenders') }}
),

flows as (
    select * from {{ ref('int_catchment_flows_selected') }}
),

schools as (
    select * from {{ ref('int_school_rolls') }}
),

catchment_urns as (
    select distinct urn from flows
),

-- Only schools with a catchment: the schools the exposure measures cover.
schools_with_catchment as (
    select
        schools.urn,
        schools.low_age,
        schools.high_age
    from schools
    inner join catchment_urns
        on schools.urn = catchment_urns.urn
),

direct as (
    select
        offenders.person_id,
        schools_with_catchment.urn,
        'direct' as attribution,
        1.0::double as share
    from offenders
    inner join schools_with_catchment
        on offenders.school_urn = schools_with_catchment.urn
),

to_share as (
    select
        offenders.person_id,
        offenders.home_lsoa_code,
        offenders.age_at_offence
    from offenders
    left join schools_with_catchment
        on offenders.school_urn = schools_with_catchment.urn
    where
        schools_with_catchment.urn is null
        and offenders.home_lsoa_code is not null
),

-- The shares depend only on home and age: worked out once for each pair of them.
homes_and_ages as (
    select distinct
        home_lsoa_code,
        age_at_offence
    from to_share
),

eligible_flows as (
    select
        homes_and_ages.home_lsoa_code,
        homes_and_ages.age_at_offence,
        flows.urn,
        flows.expected_pupils
    from homes_and_ages
    inner join flows
        on homes_and_ages.home_lsoa_code = flows.lsoa_code
    inner join schools_with_catchment
        on flows.urn = schools_with_catchment.urn
    where
        flows.expected_pupils > 0
        -- Both ends included: see the note at the top.
        and homes_and_ages.age_at_offence
        between schools_with_catchment.low_age and schools_with_catchment.high_age
),

home_age_pupils as (
    -- Grouped and joined back, not a window: an exact window sum is ten times slower.
    select
        home_lsoa_code,
        age_at_offence,
        {{ exact_sum('expected_pupils') }} as expected_pupils
    from eligible_flows
    group by home_lsoa_code, age_at_offence
),

home_age_shares as (
    select
        eligible_flows.home_lsoa_code,
        eligible_flows.age_at_offence,
        eligible_flows.urn,
        eligible_flows.expected_pupils / home_age_pupils.expected_pupils as share
    from eligible_flows
    inner join home_age_pupils
        on
            eligible_flows.home_lsoa_code = home_age_pupils.home_lsoa_code
            and eligible_flows.age_at_offence = home_age_pupils.age_at_offence
),

shared as (
    select
        to_share.person_id,
        home_age_shares.urn,
        'shared' as attribution,
        home_age_shares.share
    from to_share
    inner join home_age_shares
        on
            to_share.home_lsoa_code = home_age_shares.home_lsoa_code
            and to_share.age_at_offence = home_age_shares.age_at_offence
),

final as (
    select * from direct
    union all
    select * from shared
)

select * from final
