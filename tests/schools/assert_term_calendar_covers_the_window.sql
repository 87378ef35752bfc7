-- Invariant (warning): when school_holidays.csv gives holidays, every August of the analysis
-- window has some. A term calendar that covers only part of the window (the last school year
-- only) leaves the other years with no holiday at all, and the August default applies only to
-- a build without the file: their holiday weeks count as school days, which no other check
-- shows. Returns each year of the window whose August has no holiday day.
{{ config(severity='warn') }}

with

school_days as (
    select * from {{ ref('int_school_days') }}
),

holidays as (
    select * from {{ ref('stg_vru__school_holidays') }}
)

select
    year(calendar_date) as calendar_year,
    count(*) as august_days_in_window
from school_days
where
    month(calendar_date) = 8
    and (select count(*) from holidays) > 0
group by year(calendar_date)
having count(*) filter (where non_school_reason = 'holiday') = 0
