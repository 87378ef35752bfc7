-- One row per source and check: what was read, staged and rejected (by reason), how much of
-- it could be placed, and where the extract has gaps. For the analyst and the data owner:
-- the counts are exact row counts of the files, not counts of people, and the rows are never
-- shown (the rejects tables list them by position in the file). Each threshold has a warning
-- test (_quality__models.yml); meets_threshold is null where a check has none.
with

file_rows as (
    select * from {{ ref('stg_accounting__file_rows') }}
),

staged_offences as (
    select * from {{ ref('stg_police__offences') }}
),

persons as (
    select * from {{ ref('stg_police__offence_persons') }}
),

rolls as (
    select * from {{ ref('int_school_rolls') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

lookup as (
    select * from {{ ref('stg_ons__lsoa_lookup') }}
),

flows as (
    select * from {{ ref('int_catchment_flows') }}
),

selected as (
    select * from {{ ref('int_catchment_flows_selected') }}
),

ranks as (
    select * from {{ ref('int_school_priority_ranks') }}
    where priority_rank is not null
),

file_totals as (
    select
        file_name,
        file_order,
        sum(source_rows) as rows_read,
        sum(source_rows) filter (where reject_reason is null) as rows_staged
    from file_rows
    group by file_name, file_order
),

file_checks as (
    {{ quality_row('file_name', 'rows_read', 'null', 'rows_read', 'rows_read') | indent(4) }}
    from file_totals
    union all
    {{ quality_row('file_name', 'rows_staged', 'null', 'rows_staged', 'rows_read') | indent(4) }}
    from file_totals
    union all
    {{ quality_row(
        'file_name', 'rows_rejected', 'null', 'rows_read - rows_staged', 'rows_read'
    ) | indent(4) }}
    from file_totals
    union all
    {{ quality_row(
        'file_rows.file_name', 'rows_rejected_for_reason', 'file_rows.reject_reason',
        'file_rows.source_rows', 'file_totals.rows_read'
    ) | indent(8) }}
    from file_rows
    inner join file_totals
        on file_rows.file_name = file_totals.file_name
    where file_rows.reject_reason is not null
),

offences_read as (
    select
        (
            select sum(file_rows.source_rows) from file_rows
            where
                file_rows.file_name = {{ sql_string(offence_file_label()) }}
                -- a cut study area (or other forces' police.uk files): rows outside it
                -- are another area's offences, not misses
                and (
                    file_rows.reject_reason is distinct from 'outside_study_area'
                    or not {{ var('study_area_is_cut') }}
                )
        ) as rows_read,
        count(*) filter (where staged_offences.lsoa_code is not null) as rows_located
    from staged_offences
),

geocoding as (
    -- Ratcliffe's hit rate: offences placed in an LSOA, over every row read (a row rejected
    -- for any reason is not on the map either; in a cut study area, every row but those
    -- outside it).
    {{ quality_row(
        sql_string(offence_file_label()), 'geocoding_hit_rate', 'null', 'rows_located',
        'rows_read', var('quality_min_geocoding_hit_rate'), "'minimum'",
        "'offences staged and placed in an LSOA, over rows read (Ratcliffe 2004: 85%)'"
    ) | indent(4) }}
    from offences_read
),

person_checks as (
    {{ quality_row(
        "'offence_persons.csv'", 'missing_date_of_birth', 'null',
        'count(*) filter (where age_at_offence is null)', 'count(*)',
        var('quality_max_missing_date_of_birth_share'), "'maximum'",
        "'staged person rows without a date of birth: never counted as school-aged'"
    ) | indent(4) }}
    from persons
    union all
    {{ quality_row(
        "'offence_persons.csv'", 'home_not_located', 'null',
        "count(*) filter (where home_location_source = 'none')", 'count(*)',
        var('quality_max_homes_not_located_share'), "'maximum'",
        "'staged person rows with neither a home point nor a home LSOA'"
    ) | indent(4) }}
    from persons
),

school_checks as (
    {{ quality_row(
        "'schools.csv'", 'school_without_roll', 'null',
        "count(*) filter (where roll_source != 'gias')", 'count(*)',
        var('quality_max_schools_without_roll_share'), "'maximum'",
        "'open schools whose roll is estimated (from pupil_residence.csv, capacity or a median)'"
    ) | indent(4) }}
    from rolls
    union all
    {{ quality_row(
        "'schools.csv'", 'school_roll_source', 'roll_source', 'count(*)',
        'sum(count(*)) over ()', detail="'open schools by where their roll comes from'"
    ) | indent(4) }}
    from rolls
    group by roll_source
),

selected_flows as (
    select
        flows.urn,
        bool_or(flows.is_fallback) as is_fallback
    from flows
    inner join selected
        on
            flows.urn = selected.urn
            and flows.lsoa_code = selected.lsoa_code
            and flows.method = selected.catchment_method
    group by flows.urn
),

catchment_checks as (
    {{ quality_row(
        "'catchments'", 'catchment_fallback', 'null',
        'count(*) filter (where is_fallback)', 'count(*)',
        var('quality_max_catchment_fallback_share'), "'maximum'",
        "'schools whose pupils were all put in the school''s own LSOA, no candidate LSOA having children'"
    ) | indent(4) }}
    from selected_flows
),

ranked_list as (
    select count(*) as schools from ranks
),

rank_checks as (
    -- Too few offences, or too few schools, leave ranks that cannot be told apart: a school
    -- at the top whose rank interval reaches the bottom half of the list is not known to be
    -- high at all, and naming it would stigmatise it on noise.
    {{ quality_row(
        "'priority ranks'", 'top_rank_reaches_bottom_half', 'null',
        'count(*) filter (where ranks.priority_rank <= ' ~ var('priority_top_n')
        ~ ' and ranks.priority_rank_upper > ranked_list.schools / 2)',
        'count(*) filter (where ranks.priority_rank <= ' ~ var('priority_top_n') ~ ')',
        var('quality_max_uncertain_top_rank_share'), "'maximum'",
        "'schools in the top priority_top_n whose rank interval reaches the bottom half of"
        ~ " the ranked list'"
    ) | indent(4) }}
    from ranks
    cross join ranked_list
),

offence_months as (
    select
        date_trunc('month', committed_from_at) as month_start,
        count(*) as offences
    from staged_offences
    group by date_trunc('month', committed_from_at)
),

calendar as (
    -- Every month from the first to the last, so that a month with no offences shows.
    select cast(months.month_start as date) as month_start
    from range(
        (select min(month_start) from offence_months),
        (select max(month_start) from offence_months) + interval 1 month,
        interval 1 month
    ) as months (month_start)
),

typical_month as (
    select round(median(offences)) as median_offences from offence_months
),

month_checks as (
    -- Judged inside the coverage only: the sparse months before it (crimes committed long
    -- before they were recorded) are shown but are not gaps.
    {{ quality_row(
        sql_string(offence_file_label()), 'offences_in_month',
        "strftime(calendar.month_start, '%Y-%m')", 'coalesce(offence_months.offences, 0)',
        'typical_month.median_offences',
        "case when calendar.month_start between date_trunc('month', analysis_window"
        ~ ".coverage_start_date) and analysis_window.coverage_end_date then "
        ~ var('coverage_min_month_share') ~ " end",
        "case when calendar.month_start between date_trunc('month', analysis_window"
        ~ ".coverage_start_date) and analysis_window.coverage_end_date then 'minimum' end",
        "case when calendar.month_start < analysis_window.coverage_start_date"
        ~ " then 'before the coverage'"
        ~ " when calendar.month_start > analysis_window.coverage_end_date"
        ~ " then 'after the coverage'"
        ~ " else 'staged offences committed in the month, against the median month' end"
    ) | indent(4) }}
    from calendar
    cross join analysis_window
    cross join typical_month
    left join offence_months
        on calendar.month_start = offence_months.month_start
),

authority_checks as (
    {{ quality_row(
        sql_string(offence_file_label()), 'offences_in_local_authority',
        "coalesce(lookup.lad_code, 'not located')", 'count(*)', 'sum(count(*)) over ()',
        detail="'staged offences by the local authority of their LSOA'"
    ) | indent(4) }}
    from staged_offences
    left join lookup
        on staged_offences.lsoa_code = lookup.lsoa_code
    group by coalesce(lookup.lad_code, 'not located')
),

window_checks as (
    {%- for check_name, detail in [
        ('window_start_date', 'window_start_date'),
        ('window_end_date', 'window_end_date'),
        ('coverage_start_date', 'coverage_start_date'),
        ('coverage_end_date', 'coverage_end_date'),
        ('covered_months', 'covered_months'),
        ('month_precision_dates', 'is_month_precision'),
    ] %}
        {{ quality_row(
            sql_string(offence_file_label()), check_name, 'null',
            'covered_months' if check_name == 'covered_months' else 'null', 'null',
            detail=detail
        ) | indent(8) }}
        from analysis_window
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}
),

all_checks as (
    select * from file_checks
    union all
    select * from geocoding
    union all
    select * from person_checks
    union all
    select * from school_checks
    union all
    select * from catchment_checks
    union all
    select * from rank_checks
    union all
    select * from month_checks
    union all
    select * from authority_checks
    union all
    select * from window_checks
),

thresholded as (
    -- The unknown-code threshold is on one reason of the offence file only.
    select
        * replace (
            case
                when check_name = 'rows_rejected_for_reason' and breakdown = 'unknown_offence_code'
                    then {{ var('quality_max_unknown_code_share') }}
                else threshold
            end as threshold,
            case
                when check_name = 'rows_rejected_for_reason' and breakdown = 'unknown_offence_code'
                    then 'maximum'
                else threshold_kind
            end as threshold_kind
        )
    from all_checks
),

final as (
    select
        source,
        check_name,
        breakdown,
        rows_counted,
        denominator,
        share,
        threshold,
        threshold_kind,
        case threshold_kind
            when 'minimum' then share >= threshold
            when 'maximum' then share <= threshold
        end as meets_threshold,
        detail
    from thresholded
)

-- In a fixed order, so that every reader sees the rows in the same order.
select * from final
order by source, check_name, breakdown nulls first
