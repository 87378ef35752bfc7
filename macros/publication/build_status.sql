{#- on-run-start: marts.build_status set to `building`.

    marts.build_status: one row saying whether the database holds a finished build, for BI
    tools and readers to check before they trust the marts (README, "Reading the results").

    on-run-start of `dbt build` / `dbt run` sets status `building` before any model is
    touched; on-run-end sets `complete` (every node of the whole project built and passed),
    `partial` (a selection was built: the other tables may be older), or `failed` (an error:
    some tables are new and some old). A build interrupted before its end stays `building`.
    `make run` builds into a new file and swaps it in only when complete
    (scripts/run_build.py), so the published file is never half-built; this table is how a
    file built in place says so. -#}
{% macro build_status_started() -%}
    {%- if execute and flags.WHICH in ('build', 'run') -%}
    create schema if not exists marts;
    create or replace table marts.build_status as
    select
        'building' as status,
        cast({{ sql_string(invocation_id) }} as varchar) as invocation_id,
        cast({{ sql_string(flags.WHICH) }} as varchar) as command,
        cast({{ sql_string(build_selection()) }} as varchar) as selection,
        current_timestamp as started_at,
        cast(null as timestamp with time zone) as finished_at,
        cast(null as integer) as nodes_run,
        cast(null as integer) as nodes_failed,
        cast(null as integer) as tests_warned
    {%- endif -%}
{%- endmacro %}


{#- on-run-end: the build's outcome in marts.build_status (complete, partial or failed), its
    end time and counts of nodes run, failed and warned. -#}
{% macro build_status_finished(results) -%}
    {%- if execute and flags.WHICH in ('build', 'run') -%}
        {%- set failed = results | selectattr('status', 'in', ['error', 'fail']) | list -%}
        {%- set warned = results | selectattr('status', 'equalto', 'warn') | list -%}
        {%- set status = 'failed' if failed
            else ('complete' if build_selection().startswith('all') else 'partial') -%}
    update marts.build_status set
        status = '{{ status }}',
        finished_at = current_timestamp,
        nodes_run = {{ results | length }},
        nodes_failed = {{ failed | length }},
        tests_warned = {{ warned | length }}
    where invocation_id = {{ sql_string(invocation_id) }}
    {%- endif -%}
{%- endmacro %}


{#- 'all' when the whole project was selected, else the selection as given. A refresh
    (scripts/run_build.py --refresh) leaves out exactly the models it reused from the published
    build (the catchments and the models they are built from), named in the environment
    variable SCHOOL_EXPOSURE_REUSED_FROM_PUBLISHED: that is the whole project too. Not a var:
    dbt parses the whole project again when a var changes (7 s at scale 1), and did so twice
    per refresh (into it and out of it); an environment variable read at run time costs no
    parse. -#}
{% macro build_selection() -%}
    {%- set args = invocation_args_dict -%}
    {%- set reused = (env_var('SCHOOL_EXPOSURE_REUSED_FROM_PUBLISHED', '') or '').split() -%}
    {%- set excluded = args.get('exclude') or [] -%}
    {%- set excluded = excluded.split() if excluded is string else excluded -%}
    {%- if reused and not args.get('select') and not args.get('selector')
        and (excluded | sort) == (reused | sort) -%}
        {{ return('all, ' ~ (reused | length)
            ~ ' models reused from the published build (the catchments and what they are'
            ~ ' built from)') }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for key in ['select', 'selector', 'exclude'] if args.get(key) -%}
        {%- do parts.append(key ~ ' ' ~ (args[key] | join(' ')
            if args[key] is not string else args[key])) -%}
    {%- endfor -%}
    {{ return(parts | join('; ') or 'all') }}
{%- endmacro %}
