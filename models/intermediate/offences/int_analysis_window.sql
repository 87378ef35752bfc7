-- One row: the analysis window, and the months the extract really covers. Both ends are whole
-- days and both are inside the window.
--
-- Unless vars analysis_start / analysis_end say otherwise, the window is the data's coverage,
-- at most var analysis_months (36) long and ending where the coverage ends. The coverage is
-- the months holding at least var coverage_min_month_share (0.5) of the median month's
-- staged offences: a stray row in a month of its own (a mistyped year that is still before
-- the build date) is neither the end nor the start of the coverage, so no single row can
-- move the window. With month-precise dates (every offence at midnight on the 1st, as
-- police.uk publishes them) the coverage ends on the last day of its last month.
with

offences as (
    select * from {{ ref('stg_police__offences') }}
),

months as (
    select
        date_trunc('month', committed_from_at) as month_start,
        count(*) as offences,
        min(cast(committed_from_at as date)) as first_date,
        max(cast(committed_from_at as date)) as last_date
    from offences
    group by date_trunc('month', committed_from_at)
),

typical_month as (
    select median(offences) as median_offences from months
),

covered_months as (
    select months.*
    from months
    cross join typical_month
    where months.offences >= {{ var('coverage_min_month_share') }} * typical_month.median_offences
),

precision as (
    select
        coalesce(
            bool_and(
                day(committed_from_at) = 1
                and committed_from_at = date_trunc('day', committed_from_at)
            ),
            false
        ) as is_month_precision
    from offences
),

coverage as (
    select
        min(covered_months.first_date) as coverage_start_date,
        case
            when any_value(precision.is_month_precision)
                then last_day(max(covered_months.month_start))
            else max(covered_months.last_date)
        end as coverage_end_date,
        any_value(precision.is_month_precision) as is_month_precision,
        count(*) as covered_months
    from covered_months
    cross join precision
),

window_end as (
    select
        *,
        coalesce({{ date_var('analysis_end') }}, coverage_end_date) as window_end_date
    from coverage
),

final as (
    select
        *,
        coalesce(
            {{ date_var('analysis_start') }},
            greatest(
                coverage_start_date,
                cast(
                    window_end_date - to_months({{ var('analysis_months') }})
                    + interval 1 day as date
                )
            )
        ) as window_start_date
    from window_end
)

select
    window_start_date,
    window_end_date,
    window_end_date - window_start_date + 1 as window_days,
    (window_end_date - window_start_date + 1) / 365.25 as window_years,
    coverage_start_date,
    coverage_end_date,
    covered_months,
    -- calendar months from the coverage's first to its last without enough offences
    datediff('month', coverage_start_date, coverage_end_date) + 1 - covered_months
        as months_missing_in_coverage,
    is_month_precision
from final
