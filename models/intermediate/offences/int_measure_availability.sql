-- One row per measure that depends on what the extract holds: whether this build's data can
-- support it, and if not why (DESIGN.md, "Measures that the data cannot support"). An
-- unavailable measure is published as null, never as zero, and leaves the priority score,
-- whose other weights are renormalised (fct_school_exposure).
--
-- - Youth involvement (area youth-violence rates, violence near schools) needs persons with
--   an age: a suspect, offender or victim with a date of birth.
-- - School-aged violent offenders need suspects or offenders with an age.
-- - Person rows none of whose roles is counted (a force's own role codes, S/O/V say, where
--   the contract says SUSPECT, OFFENDER, VICTIM) support neither: the reason says so, rather
--   than blaming the dates of birth.
-- - Violence at commute times needs times of day: month-precise dates (police.uk) have
--   none, nor has an extract whose every offence is timed at midnight.
-- - The exposure measures need only located offences and are always available.
with

persons as (
    select * from {{ ref('stg_police__offence_persons') }}
),

offences as (
    select * from {{ ref('int_violent_offences_counted') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

evidence as (
    select
        (select count(*) from persons) as person_rows,
        (
            select count(*) from persons
            where is_suspect_or_offender or is_victim
        ) as role_rows,
        (
            select count(*) from persons
            where is_suspect_or_offender
        ) as suspect_rows,
        (
            select count(*) from persons
            where age_at_offence is not null and (is_suspect_or_offender or is_victim)
        ) as aged_persons,
        (
            select count(*) from persons
            where age_at_offence is not null and is_suspect_or_offender
        ) as aged_suspects,
        (
            select count(*) from offences
            where committed_from_at != date_trunc('day', committed_from_at)
        ) as offences_with_time,
        (select is_month_precision from analysis_window) as is_month_precision
),

reasons as (
    select
        case
            when person_rows = 0
                then 'offence_persons.csv holds no person rows (as in open data)'
            when role_rows = 0
                then
                    'no person row has the role SUSPECT, OFFENDER or VICTIM (check the role'
                    || ' codes against ../shared/extract-contract.md)'
            when aged_persons = 0
                then 'no suspect, offender or victim has a date of birth'
        end as no_youth_reason,
        case
            when person_rows = 0
                then 'offence_persons.csv holds no person rows (as in open data)'
            when suspect_rows = 0
                then
                    'no person row has the role SUSPECT or OFFENDER (check the role codes'
                    || ' against ../shared/extract-contract.md)'
            when aged_suspects = 0
                then 'no suspect or offender has a date of birth'
        end as no_offender_reason,
        case
            when is_month_precision
                then 'offences are dated by month only: no time of day'
            when offences_with_time = 0
                then 'every counted offence is timed at midnight: no time of day'
        end as no_time_reason
    from evidence
),

measures as (
    select
        'exposure_violence_rate' as measure,
        null as unavailable_reason
    union all
    select
        'pupils_from_high_violence_areas' as measure,
        null as unavailable_reason
    union all
    select
        'school_aged_violent_offenders_per_1000_pupils' as measure,
        no_offender_reason as unavailable_reason
    from reasons
    union all
    select
        'near_school_commute_violence' as measure,
        coalesce(no_youth_reason, no_time_reason) as unavailable_reason
    from reasons
    union all
    select
        'youth_violent_rate' as measure,
        no_youth_reason as unavailable_reason
    from reasons
),

final as (
    select
        measure,
        unavailable_reason is null as is_available,
        cast(unavailable_reason as varchar) as unavailable_reason
    from measures
)

select * from final
