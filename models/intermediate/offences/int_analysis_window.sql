-- One row: the analysis window. Both ends are whole days and both are inside the window.
-- Unless vars analysis_start / analysis_end say otherwise, the window ends on the day of the
-- latest committed_from in the extract and covers the var analysis_months (36) before it.
with

offences as (
    select * from {{ ref('stg_police__offences') }}
),

window_end as (
    select
        coalesce(
            {{ date_var('analysis_end') }},
            max(cast(committed_from_at as date))
        ) as window_end_date
    from offences
),

final as (
    select
        window_end_date,
        coalesce(
            {{ date_var('analysis_start') }},
            cast(
                window_end_date - to_months({{ var('analysis_months') }}) + interval 1 day
                as date
            )
        ) as window_start_date
    from window_end
)

select
    window_start_date,
    window_end_date,
    window_end_date - window_start_date + 1 as window_days,
    (window_end_date - window_start_date + 1) / 365.25 as window_years
from final
