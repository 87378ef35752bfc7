-- One row per offence that the measures count: violent (var violence_categories), committed
-- in the analysis window, not cancelled. It reads no person: the all-violence area rates and
-- the school home-area exposure build from it without the person extract. Which offences
-- involve a school-aged person is int_violent_offences_youth_involved.
with

classified as (
    select * from {{ ref('int_offences_classified') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

offences as (
    select * from classified
    where is_violent and is_in_window and not is_cancelled
),

-- Stops the build when the window holds no violent offence (vars analysis_start and
-- analysis_end set to a period the extract does not cover): every rate, interval and rank
-- after it would be computed from nothing, and ended in a DuckDB error far from the cause.
standing as materialized (
    select
        {{ first_build_stop([(
            'counts.counted = 0',
            "No violent offence is in the analysis window, {} to {}: the extract's {} violent"
            ~ ' offences (confirmed, in var violence_categories) run from {} to {}, and its'
            ~ ' coverage from {} to {}. '
            ~ ('Set vars analysis_start and analysis_end to dates inside the coverage, or'
                ~ ' leave them unset so that the window follows the data.'
                if var('analysis_start') or var('analysis_end') else
                'Check the dates of committed_from in the extract.'),
            [
                'cast(analysis_window.window_start_date as varchar)',
                'cast(analysis_window.window_end_date as varchar)',
                'counts.violent',
                "coalesce(cast(counts.first_violent_on as varchar), '-')",
                "coalesce(cast(counts.last_violent_on as varchar), '-')",
                "coalesce(cast(analysis_window.coverage_start_date as varchar), '-')",
                "coalesce(cast(analysis_window.coverage_end_date as varchar), '-')",
            ],
        )]) | indent(8) }} as passes
    from (
        select
            count(*) filter (where is_violent and is_in_window and not is_cancelled)
                as counted,
            count(*) filter (where is_violent and not is_cancelled) as violent,
            min(cast(committed_from_at as date)) filter (
                where is_violent and not is_cancelled
            ) as first_violent_on,
            max(cast(committed_from_at as date)) filter (
                where is_violent and not is_cancelled
            ) as last_violent_on
        from classified
    ) as counts
    cross join analysis_window
),

final as (
    select
        -- ids
        crime_ref,
        lsoa_code,

        -- attributes
        offence_category,
        is_serious_violence,
        is_knife_crime,
        is_proactive,

        -- timestamps
        committed_from_at,

        -- geometry
        geom
    from offences
    where (select standing.passes from standing)
)

select * from final
