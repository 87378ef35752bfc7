-- One row per school that entered or left the top var priority_top_n since the previous
-- build: its rank and rank interval then and now, and whether the move is beyond the
-- interval. The previous build's list is what snap_school_priority_ranks held when this run
-- started (its versions valid at run_started_at); this run's snapshot, which runs before
-- this model, has already recorded the current list, so only versions published before the
-- run count as "then". A first build has no previous list and gives no rows.
--
-- The snapshot's timestamps are DuckDB's now() as a local timestamp; run_started_at is UTC,
-- so it is turned into the same clock before the comparison.
{%- set run_started -%}
    cast(timezone('UTC', timestamp '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}')
        as timestamp)
{%- endset %}
{%- set top_n = var('priority_top_n') %}
with

snapshot_versions as (
    select * from {{ ref('snap_school_priority_ranks') }}
),

current_ranks as (
    select * from {{ ref('fct_school_exposure') }}
),

previous_ranks as (
    select
        urn,
        school_name,
        phase,
        la_name,
        priority_rank,
        priority_rank_lower,
        priority_rank_upper,
        dbt_valid_from as published_from
    from snapshot_versions
    where
        dbt_valid_from < {{ run_started }}
        and (dbt_valid_to is null or dbt_valid_to >= {{ run_started }})
),

compared as (
    select
        coalesce(current_ranks.urn, previous_ranks.urn) as urn,
        coalesce(current_ranks.school_name, previous_ranks.school_name) as school_name,
        coalesce(current_ranks.phase, previous_ranks.phase) as phase,
        coalesce(current_ranks.la_name, previous_ranks.la_name) as la_name,
        previous_ranks.priority_rank as previous_priority_rank,
        previous_ranks.priority_rank_lower as previous_priority_rank_lower,
        previous_ranks.priority_rank_upper as previous_priority_rank_upper,
        previous_ranks.published_from as previous_published_from,
        current_ranks.priority_rank,
        current_ranks.priority_rank_lower,
        current_ranks.priority_rank_upper,
        current_ranks.on_vru_list,
        coalesce(previous_ranks.priority_rank <= {{ top_n }}, false) as was_in_top,
        coalesce(current_ranks.priority_rank <= {{ top_n }}, false) as is_in_top,
        previous_ranks.urn is null as is_new_in_build,
        current_ranks.urn is null as is_gone_from_build
    from current_ranks
    full outer join previous_ranks
        on current_ranks.urn = previous_ranks.urn
),

final as (
    select
        urn,
        school_name,
        phase,
        la_name,
        case
            when is_in_top then 'entered top {{ top_n }}' else 'left top {{ top_n }}'
        end as list_change,
        case
            when is_new_in_build then 'new in this build (not ranked before)'
            when is_gone_from_build then 'not in this build (closed or no pupils)'
            else 'rank moved'
        end as change_reason,
        previous_priority_rank,
        previous_priority_rank_lower,
        previous_priority_rank_upper,
        priority_rank,
        priority_rank_lower,
        priority_rank_upper,
        -- Beyond the uncertainty: the previous rank lies outside the current 90% interval.
        -- A move within it is a reshuffle of schools the data cannot tell apart.
        case
            when not is_new_in_build and not is_gone_from_build
                then
                    previous_priority_rank
                    not between priority_rank_lower and priority_rank_upper
        end as is_beyond_interval,
        on_vru_list,
        previous_published_from
    from compared
    -- No previous list (a first build): nothing to compare, so no row.
    where
        was_in_top != is_in_top
        and exists (select 1 from previous_ranks)
)

select * from final
order by list_change, priority_rank, previous_priority_rank, urn
