-- Schools on the VRU's list (vru_schools.csv) that have no row in fct_school_exposure, and
-- why: closed, not in GIAS at all, or located outside the study area. Such a school cannot be
-- ranked, and on_vru_list cannot mark it; check these before reading the new candidates.
with

vru_schools as (
    select * from {{ ref('stg_vru__vru_schools') }}
),

published as (
    select * from {{ ref('fct_school_exposure') }}
),

schools as (
    select * from {{ ref('stg_gias__schools') }}
),

school_rejects as (
    -- A URN can be rejected more than once (duplicates): one reason per URN.
    select
        urn,
        min(reject_reason) as reject_reason
    from {{ ref('stg_gias__schools_rejects') }}
    where urn is not null
    group by urn
),

final as (
    select
        vru_schools.urn,
        vru_schools.programme,
        case
            when schools.urn is not null and not schools.is_open then 'not open in GIAS'
            when schools.urn is not null then 'open, but without pupils or a catchment'
            when school_rejects.urn is not null then 'rejected: ' || school_rejects.reject_reason
            else 'not in the schools file'
        end as why_not_ranked
    from vru_schools
    left join published
        on vru_schools.urn = published.urn
    left join schools
        on vru_schools.urn = schools.urn
    left join school_rejects
        on vru_schools.urn = school_rejects.urn
    where published.urn is null
)

select * from final
