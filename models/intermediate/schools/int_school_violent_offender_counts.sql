-- One row per open school with a catchment: the school-aged violent offenders
-- attributed to it (int_violent_offender_attribution_outcomes), the whole persons
-- recorded at the school plus the shares of persons shared out from their homes
-- (int_violent_offender_school_shares). A school with none has zeros, not a missing row,
-- so every school the exposure measures cover has a count.
with

schools as (
    select * from {{ ref('int_school_rolls') }}
),

flows as (
    select * from {{ ref('int_catchment_flows_selected') }}
),

outcomes as (
    select * from {{ ref('int_violent_offender_attribution_outcomes') }}
),

shares as (
    select * from {{ ref('int_violent_offender_school_shares') }}
),

schools_with_catchment as (
    {{ schools_with_catchment('schools', 'flows') | indent(4) }}
),

direct as (
    select
        urn,
        count(*) as direct_violent_offenders
    from outcomes
    where outcome = 'direct'
    group by urn
),

shared_homes_and_ages as (
    select
        home_lsoa_code,
        age_at_offence,
        count(*) as persons
    from outcomes
    where outcome = 'shared'
    group by home_lsoa_code, age_at_offence
),

shared as (
    -- Each share fixed to 18 decimals, then times the persons sharing it: exactly the sum
    -- of the share over those persons (macro exact_sum), in any order.
    select
        shares.urn,
        {{ exact_sum(
            'cast(shares.share as decimal(38, 18)) * shared_homes_and_ages.persons'
        ) }} as shared_violent_offenders
    from shared_homes_and_ages
    inner join shares
        on
            shared_homes_and_ages.home_lsoa_code = shares.home_lsoa_code
            and shared_homes_and_ages.age_at_offence = shares.age_at_offence
    group by shares.urn
),

final as (
    select
        -- ids
        schools_with_catchment.urn,

        -- measures
        coalesce(direct.direct_violent_offenders, 0)::integer
            as direct_violent_offenders,
        coalesce(shared.shared_violent_offenders, 0)::double
            as shared_violent_offenders,
        coalesce(direct.direct_violent_offenders, 0)
        + coalesce(shared.shared_violent_offenders, 0)::double
            as school_aged_violent_offenders
    from schools_with_catchment
    left join direct
        on schools_with_catchment.urn = direct.urn
    left join shared
        on schools_with_catchment.urn = shared.urn
)

select * from final
