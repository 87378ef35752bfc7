-- One row per breakdown and group of the ranked schools: how many there are, how many the VRU
-- already works with, how many rank in the top var priority_top_n, and how many of those are
-- new candidates (not on the VRU's list), by phase, school type (GIAS establishment type),
-- local authority and the deprivation decile of the school's LSOA. It asks whether the new
-- candidates fall on one kind of school or place more than the schools themselves do
-- (candidate_to_school_share_ratio above 1), a pattern the committee would want explained.
-- Counts of schools, not of people; a small group can still point at a school, so the table
-- is for the VRU (meta.audience), like the named list it summarises. Every decile 1 to 10
-- has a row.
{%- set breakdowns = {
    'phase': ('phase', 'phase'),
    'school_type': ('establishment_type', 'establishment_type'),
    'local_authority': ('la_code', 'la_name'),
    'deprivation_decile': ('imd_decile', 'imd_decile_name'),
} %}
with

ranks as (
    select * from {{ ref('int_school_priority_ranks') }}
),

controlled as (
    select * from {{ ref('int_school_measures_controlled') }}
),

schools as (
    select * from {{ ref('stg_gias__schools') }}
),

deprivation as (
    select * from {{ ref('stg_mhclg__deprivation') }}
),

ranked_schools as (
    select
        ranks.urn,
        ranks.priority_rank <= {{ var('priority_top_n') }} as is_top,
        ranks.is_new_candidate,
        controlled.on_vru_list,
        coalesce(schools.phase, 'unknown') as phase,
        coalesce(schools.establishment_type, 'unknown') as establishment_type,
        coalesce(schools.la_code, 'unknown') as la_code,
        schools.la_name,
        coalesce(cast(deprivation.imd_decile as varchar), 'unknown') as imd_decile,
        {{ imd_decile_name(
            "coalesce(cast(deprivation.imd_decile as varchar), 'unknown')") }}
            as imd_decile_name
    from ranks
    inner join controlled
        on ranks.urn = controlled.urn
    left join schools
        on ranks.urn = schools.urn
    left join deprivation
        on schools.lsoa_code = deprivation.lsoa_code
),

deciles as (
    -- Every decile, so that one without schools shows with none.
    select
        cast(deciles.decile as varchar) as breakdown,
        {{ imd_decile_name('cast(deciles.decile as varchar)') }} as breakdown_name
    from range(1, 11) as deciles (decile)
),

groups_seen as (
    {%- for breakdown_type, (code, name) in breakdowns.items() %}
        select
            '{{ breakdown_type }}' as breakdown_type,
            {{ code }} as breakdown,
            any_value({{ name }}) as breakdown_name,
            count(*) as schools,
            count(*) filter (where on_vru_list) as schools_on_vru_list,
            count(*) filter (where is_top) as top_schools,
            count(*) filter (where is_new_candidate) as new_candidates
        from ranked_schools
        group by {{ code }}
        {{- '\n\n        union all\n' if not loop.last }}
    {%- endfor %}
),

all_groups as (
    select * from groups_seen
    union all
    select
        'deprivation_decile' as breakdown_type,
        deciles.breakdown,
        deciles.breakdown_name,
        0 as schools,
        0 as schools_on_vru_list,
        0 as top_schools,
        0 as new_candidates
    from deciles
    where not exists (
        select 1
        from groups_seen
        where
            groups_seen.breakdown_type = 'deprivation_decile'
            and groups_seen.breakdown = deciles.breakdown
    )
),

with_totals as (
    select
        *,
        sum(schools) over (partition by breakdown_type) as all_schools,
        sum(new_candidates) over (partition by breakdown_type) as all_new_candidates
    from all_groups
),

final as (
    select
        -- ids
        breakdown_type,
        breakdown,

        -- attributes
        breakdown_name,

        -- measures
        cast(schools as bigint) as schools,
        cast(schools_on_vru_list as bigint) as schools_on_vru_list,
        cast(top_schools as bigint) as top_schools,
        cast(new_candidates as bigint) as new_candidates,
        round(new_candidates / nullif(schools, 0), 6) as new_candidate_share,
        round({{ share_bound('lower', 'new_candidates', 'schools') }}, 6)
            as new_candidate_share_lower,
        round({{ share_bound('upper', 'new_candidates', 'schools') }}, 6)
            as new_candidate_share_upper,
        round(schools / nullif(all_schools, 0), 6) as share_of_schools,
        round(new_candidates / nullif(all_new_candidates, 0), 6) as share_of_new_candidates,
        round(
            (new_candidates / nullif(all_new_candidates, 0))
            / nullif(schools / nullif(all_schools, 0), 0),
            4
        ) as candidate_to_school_share_ratio
    from with_totals
)

-- In a fixed order, so that every reader sees the rows in the same order.
select * from final
order by breakdown_type, try_cast(breakdown as integer) nulls last, breakdown
