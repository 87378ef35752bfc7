{#- The first reason, in the order given, why a raw row cannot be staged; null for a good row.
    `checks` is a list of (reason_code, condition) pairs. `malformed_reason` names the column
    of raw_rows() that says why a row could not be parsed at all: that reason comes first.
    Every reason code is listed in the docs block `reject_reasons`
    (models/staging/_staging__docs.md). -#}
{% macro first_reject_reason(checks, malformed_reason=none) -%}
    case
        {%- if malformed_reason %}
        when {{ malformed_reason }} is not null then {{ malformed_reason }}
        {%- endif %}
        {%- for reason, condition in checks %}
        when {{ condition }} then '{{ reason }}'
        {%- endfor %}
    end
{%- endmacro %}


{#- A later row repeating an earlier row's key: the first one in file order is kept. -#}
{% macro is_repeat_of_earlier_row(key_columns) -%}
    (
        row_number() over (
            partition by {{ key_columns | join(', ') }} order by source_row_number
        ) > 1
    )
{%- endmacro %}


{#- The rows of a checked base model that could not be staged: their position in the file,
    the reason, and the listed columns that help a data owner find and fix them. -#}
{% macro rejected_rows(base_model, columns) -%}
    select
        source_row_number,
        reject_reason,
        {{ columns | join(',\n        ') }}
    from {{ base_model }}
    where reject_reason is not null
{%- endmacro %}


{#- One row with one column, `passes`: true when a raw file's rows may go on, else an error
    that stops the build with the file, the share rejected and the reasons (never a row's
    content). The staging model of each file filters on it:

        where reject_reason is null and (select passes from intake)

    It fails when a required file has no rows, or when the rows rejected for a reason not in
    `not_counted` pass var max_reject_share of the rows read (90% of timestamps unreadable
    must not leave marts built from the other 10%). A national file's rows outside the study
    area are expected, so public reference files pass outside_study_area in `not_counted`;
    but a required file none of whose rows is staged fails whatever the reasons (a lookup or
    population file of another LSOA vintage than the boundaries: every row outside the study
    area). Rows are counted by source_row_number (the ONS wide population form has 91 rows
    each). -#}
{% macro intake_check(base_model, file_name, not_counted=[], required=true) -%}
    {%- set max_share = var('max_reject_share') -%}
    with

    summary as (
        {{ reject_summary(base_model, not_counted) | indent(8) }}
    )

    select
        case
            {%- if required %}
            when rows_read = 0 then error(
                {{ sql_string(file_name ~ ': no rows were read, and the analysis needs them.'
                    ~ ' Check that the file holds its data and is the one the contract names'
                    ~ ' (../shared/extract-contract.md).') }}
            )
            {%- endif %}
            when rows_rejected > {{ max_share }} * rows_read then error(format(
                {{ sql_string(file_name ~ ': {} of {} rows ({:.1f}%) were rejected ({}), more'
                    ~ ' than var max_reject_share (' ~ (100 * max_share) | round(1) ~ '%)'
                    ~ ' allows.{} staging.' ~ base_model.identifier | replace('base_', 'stg_')
                    ~ '_rejects lists each rejected row by its position in the file, with its'
                    ~ ' reason: fix the extract, or raise max_reject_share if the losses are'
                    ~ ' understood.') }},
                rows_rejected, rows_read, 100.0 * rows_rejected / rows_read, reasons,
                {{ reject_hint('main_reason') | indent(16) }}
                -- A required value missing from every row: the column is there (a column
                -- missing from the header stops the build earlier, by name), but empty.
                || case
                    when starts_with(main_reason, 'missing_') and main_reason_rows = rows_read
                        then {{ sql_string(' The value is empty on every row: check that the'
                            ~ ' export fills that column.') }}
                    else ''
                end
            ))
            {%- if required %}
            -- Every row rejected, for reasons max_reject_share does not count: nothing of
            -- the file reaches the analysis (a required file must give some rows).
            when rows_staged = 0 then error(format(
                {{ sql_string(file_name ~ ': none of its {} rows could be staged ({}).{} The'
                    ~ ' analysis needs its rows. staging.' ~ base_model.identifier
                    | replace('base_', 'stg_') ~ '_rejects lists each rejected row by its'
                    ~ ' position in the file, with its reason.') }},
                rows_read, all_reasons, {{ reject_hint('all_main_reason') | indent(16) }}
            ))
            {%- endif %}
            else true
        end as passes
    from summary
{%- endmacro %}


{#- One row: a base model's rows read (distinct source rows), the rows staged, the rows
    rejected for a reason not in `not_counted`, and those reasons with their counts, most
    frequent first; the most frequent reason and its count; every reason with its count
    (all_reasons, `not_counted` ones too) and the most frequent of them (all_main_reason). -#}
{% macro reject_summary(base_model, not_counted=[]) -%}
    with

    source_rows as (
        select distinct
            source_row_number,
            reject_reason
        from {{ base_model }}
    ),

    all_reasons as (
        select
            reject_reason,
            count(*) as rejected_rows,
            {%- if not_counted %}
            reject_reason not in {{ sql_list(not_counted) }} as is_counted
            {%- else %}
            true as is_counted
            {%- endif %}
        from source_rows
        where reject_reason is not null
        group by reject_reason
    ),

    reasons as (
        select *
        from all_reasons
        where is_counted
    )

    select
        (select count(*) from source_rows) as rows_read,
        (select count(*) from source_rows where reject_reason is null) as rows_staged,
        coalesce(sum(rejected_rows), 0) as rows_rejected,
        string_agg(
            reject_reason || ' ' || rejected_rows, ', '
            order by rejected_rows desc, reject_reason
        ) as reasons,
        arg_max(reject_reason, rejected_rows) as main_reason,
        max(rejected_rows) as main_reason_rows,
        (
            select
                string_agg(
                    reject_reason || ' ' || rejected_rows, ', '
                    order by rejected_rows desc, reject_reason
                )
            from all_reasons
        ) as all_reasons,
        (select arg_max(reject_reason, rejected_rows) from all_reasons) as all_main_reason
    from reasons
{%- endmacro %}


{#- What to check when most of a file's rows are rejected for one reason. -#}
{% macro reject_hints() -%}
    {{ return({
        'unparseable_timestamp': 'Timestamps must be ISO 8601 local time, as'
            ~ ' 2023-05-04T15:20:00 or 2023-05-04 15:20 (or a date alone), or carry their'
            ~ ' offset from UTC (2023-05-04T14:20:00Z). Day-first dates (04/05/2023, as Excel'
            ~ ' saves them in the UK) cannot be told from month-first ones: export from the'
            ~ ' source system, not through Excel. police.uk files: a Month of YYYY-MM, as'
            ~ ' downloaded.',
        'missing_timestamp': 'committed_from and recorded_at are required on every row.',
        'outside_study_area': 'Coordinates must be British National Grid (EPSG:27700) metres'
            ~ ' inside lsoa_boundaries (easting and northing not swapped), and LSOA codes of'
            ~ ' the same vintage as the boundaries (2011 codes match none of 2021 boundaries).'
            ~ ' police.uk files: the files of the force whose area lsoa_boundaries covers (with'
            ~ " other forces' files beside them, open_data.py reads theirs as outside).",
        'unknown_offence_code': 'Home Office codes must be in seed offence_classes.',
        'impossible_date_of_birth': 'Dates of birth must be YYYY-MM-DD.',
        'unknown_sex': 'sex must be M, F or U (or Male, Female, Not known, Indeterminate,'
            ~ ' or empty), not a number code such as 1 or 2.',
        'unknown_status': 'status must be confirmed or cancelled (or empty, for confirmed).',
        'unparseable_flag': 'knife_flag and proactive_flag must be Y or N (or empty).',
        'unknown_ethnicity': 'ethnicity must be one of the ONS 5 broad groups White, Black,'
            ~ ' Asian, Mixed, Other (or their census names, or a self-defined 16+1 code such'
            ~ ' as W1, or empty); officer-defined codes (IC1-IC6) record something else: send'
            ~ ' the self-defined ethnicity, or leave the column empty.',
        'unparseable_coordinates': 'Coordinates must be British National Grid (EPSG:27700)'
            ~ ' metres, both given: not longitude and latitude in degrees.',
        'orphan_person_row': 'Person rows must refer to a crime_ref of offences.csv (a row'
            ~ ' of offences.csv that could not be read at all counts as absent: see its'
            ~ ' malformed rows).',
        'offence_rejected': 'Most of the crimes these rows belong to were rejected in'
            ~ ' offences.csv: fix that file first.',
        'too_many_fields': 'Is the file comma-separated, with values holding commas quoted?',
        'too_few_fields': 'Is the file comma-separated, with one line per row?',
        'invalid_encoding': 'Save the file as UTF-8.',
    }) }}
{%- endmacro %}


{#- True, or a stop of the build at the first of `checks` that holds: each is (condition,
    message, arguments), the condition an SQL boolean, the message a text whose {} DuckDB's
    format() fills with the SQL `arguments` in turn. DuckDB's error() ends the query, and so
    the build, with that message and no traceback: for a file that gives nothing to analyse,
    which would otherwise fail far from its cause. -#}
{% macro first_build_stop(checks) -%}
    case
        {%- for condition, message, arguments in checks %}
        when {{ condition }} then error(format(
            {{ sql_string(message) }}{% for argument in arguments %}, {{ argument }}{% endfor %}
        ))
        {%- endfor %}
        else true
    end
{%- endmacro %}


{#- The hint of reject_hints() for the reject reason in the SQL expression `reason`, with a
    leading space, or '' for a reason without one: the tail of a stop's message. -#}
{% macro reject_hint(reason) -%}
    case {{ reason }}
        {%- for reason_code, hint in reject_hints().items() %}
        when '{{ reason_code }}' then ' ' || {{ sql_string(hint) }}
        {%- endfor %}
        else ''
    end
{%- endmacro %}
