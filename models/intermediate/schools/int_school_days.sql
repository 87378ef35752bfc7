-- One row per day of the analysis window, both ends included, with whether it is a
-- school day. Saturdays and Sundays never are; nor are the days of any range in
-- school_holidays.csv (both ends included). The extract contract makes that file
-- optional: without any staged holiday rows, the whole of August is taken as the
-- summer holiday instead, so that its weeks are not counted as school commutes. A day
-- that is both a weekend and a holiday is reported as a weekend, the reason a reader
-- can check on any calendar.
with

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

holidays as (
    select * from {{ ref('stg_vru__school_holidays') }}
),

calendar as (
    -- generate_series includes its end, as the window does; it yields timestamps.
    select
        cast(
            unnest(generate_series(
                analysis_window.window_start_date,
                analysis_window.window_end_date,
                interval 1 day
            )) as date
        ) as calendar_date
    from analysis_window
),

holiday_dates as (
    -- distinct: holiday ranges may overlap (a half-term inside a longer closure).
    select distinct calendar.calendar_date
    from calendar
    inner join holidays
        on calendar.calendar_date between holidays.start_date and holidays.end_date
),

holiday_file as (
    -- Rejected rows do not count: a file with every row rejected gives no calendar.
    select count(*) > 0 as has_holidays
    from holidays
),

classified as (
    select
        calendar.calendar_date,
        case
            when isodow(calendar.calendar_date) in (6, 7) then 'weekend'
            when holiday_dates.calendar_date is not null then 'holiday'
            when
                not holiday_file.has_holidays
                and month(calendar.calendar_date) = 8
                then 'august_default'
        end as non_school_reason
    from calendar
    cross join holiday_file
    left join holiday_dates
        on calendar.calendar_date = holiday_dates.calendar_date
),

final as (
    select
        -- ids
        calendar_date,

        -- attributes
        non_school_reason is null as is_school_day,
        non_school_reason
    from classified
)

select * from final
