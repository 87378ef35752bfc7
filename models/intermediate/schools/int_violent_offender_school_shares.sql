-- One row per home LSOA, age at offence and school: the share of a school-aged violent
-- offender of that home and age that the school gets when the person is shared out from
-- home (int_violent_offender_attribution_outcomes). The shares of a home and age add up
-- to 1. Only the homes and ages of school-aged violent offenders are listed.
--
-- The schools are those that draw pupils from the home LSOA (F(l, s) > 0) and teach the
-- age, and each gets F(l, s) over their sum, F(l, s) being the school's expected pupils
-- from that LSOA (of all the ages it teaches). The age test includes both ends,
-- low_age <= age <= high_age, although the catchments teach [low_age, high_age): those
-- are ages at the start of the school year, ours is the age on the offence date, up to
-- a year older. A pupil in the last year of an 11-16 school turns 16 during it; an
-- exclusive end would drop every 16-year-old from 11-16 schools and every 11-year-old
-- from primaries.
--
-- By home and age rather than by person: the shares depend only on the home and the age,
-- so a person-by-school table (54 million rows at national size) would repeat them for
-- every offender, and would say of each pseudonymised child which schools they may attend.

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

schools_with_catchment as (
    {{ schools_with_catchment('schools', 'flows', ['urn', 'low_age', 'high_age']) | indent(4) }}
),

homes_and_ages as (
    select distinct
        home_lsoa_code,
        age_at_offence
    from offenders
    where home_lsoa_code is not null
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

final as (
    select
        -- ids
        eligible_flows.home_lsoa_code,
        eligible_flows.age_at_offence,
        eligible_flows.urn,

        -- measures
        eligible_flows.expected_pupils / home_age_pupils.expected_pupils as share
    from eligible_flows
    inner join home_age_pupils
        on
            eligible_flows.home_lsoa_code = home_age_pupils.home_lsoa_code
            and eligible_flows.age_at_offence = home_age_pupils.age_at_offence
)

select * from final
