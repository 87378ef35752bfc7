-- One row per open school with a catchment: the school-aged violent offenders
-- attributed to it (int_violent_offenders_attributed_to_schools), the whole persons
-- recorded at the school plus the shares of persons shared out from their homes. A
-- school with none has zeros, not a missing row, so every school the exposure measures
-- cover has a count.
with

schools as (
    select * from {{ ref('int_school_rolls') }}
),

flows as (
    select * from {{ ref('int_catchment_flows_selected') }}
),

attributed as (
    select * from {{ ref('int_violent_offenders_attributed_to_schools') }}
),

catchment_urns as (
    select distinct urn from flows
),

per_school as (
    select
        urn,
        count(*) filter (where attribution = 'direct') as direct_violent_offenders,
        {{ exact_sum('share', where="attribution = 'shared'") }} as shared_violent_offenders
    from attributed
    group by urn
),

final as (
    select
        -- ids
        schools.urn,

        -- measures
        coalesce(per_school.direct_violent_offenders, 0)::integer
            as direct_violent_offenders,
        coalesce(per_school.shared_violent_offenders, 0)::double
            as shared_violent_offenders,
        coalesce(per_school.direct_violent_offenders, 0)
        + coalesce(per_school.shared_violent_offenders, 0)::double
            as school_aged_violent_offenders
    from schools
    inner join catchment_urns
        on schools.urn = catchment_urns.urn
    left join per_school
        on schools.urn = per_school.urn
)

select * from final
