{#- Typed values from the extract's text. Each returns null for a value it cannot read, so the
    staging model can tell "absent" (the text is null) from "unreadable" (text, but null here)
    and send the row to rejects with a reason. -#}

{#- ISO 8601 local time, with a T or a space, with or without seconds (and fractions of
    one): the contract's `2023-05-04T15:20:00` and `2023-05-04 15:20`. The shape is checked
    first and the text then cast: DuckDB's cast reads more shapes than the contract allows,
    and try_strptime() with a list of formats crashed the process now and then (a
    segmentation fault in DuckDB 1.5.5's StrpTimeFormat::Parse; scripts/stress_staging.py). An
    impossible calendar time (2023-02-30, 15:60) is unreadable. The cast reads the T itself
    (replacing it by a space first copied every value, a third of the parse's time; the
    results are the same, tests/python/test_speed_equivalence.py).
    A time with its offset from UTC (`2023-07-04T15:20:00Z`, `+01:00`, `+0100`), as systems
    that store UTC export it, names one instant: it becomes England's local time
    (Europe/London, summer time included), which the time-of-day measures need; only rows
    with an offset reach that branch. Rejected before, as unparseable_timestamp.
    A date alone (`2023-05-04`, as systems that hold no time export it) is its midnight, the
    project's mark of "no time of day" (the time-of-day measures leave it out); with
    date_only_ends_day, for an upper bound such as committed_to, it is the day's last
    microsecond instead, so that a time on that day is not after it. -#}
{% macro parse_timestamp(text, date_only_ends_day=false) -%}
    case
        when regexp_full_match(
            {{ text }},
            '\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?'
        ) then try_cast({{ text }} as timestamp)
        when regexp_full_match(
            {{ text }},
            '\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)'
        ) then timezone('Europe/London', try_cast(
            -- DuckDB reads an offset only after seconds
            regexp_replace({{ text }}, '^(.{10}[T ]\d\d:\d\d)([Z+-])', '\1:00\2')
            as timestamptz
        ))
        when regexp_full_match({{ text }}, '\d{4}-\d{2}-\d{2}')
            then cast(try_cast({{ text }} as date) as timestamp)
            {%- if date_only_ends_day %} + interval 1 day - interval 1 microsecond{% endif %}
    end
{%- endmacro %}


{#- YYYY-MM-DD, or followed by a midnight time (2006-11-20 00:00:00, as a database's datetime
    column exports a date); an impossible calendar date (2009-02-30) is unreadable. Any other
    time is unreadable too: a date with a time of day is not a date of birth. -#}
{% macro parse_date(text) -%}
    case
        when regexp_full_match({{ text }}, '\d{4}-\d{2}-\d{2}([T ]00:00(:00(\.0{1,6})?)?)?')
            then try_cast(left({{ text }}, 10) as date)
    end
{%- endmacro %}


{#- A whole number: '73', or '73.0' as some GIAS files write it, or '1,050' as a spreadsheet
    formatted for display exports it (macro thousands_grouped). '73.5' is unreadable, not
    rounded (a cast to bigint would round it, turning a wrong URN or age into a plausible one). -#}
{% macro parse_integer(text) -%}
    case
        when try_cast({{ text }} as double) = floor(try_cast({{ text }} as double))
            then try_cast(try_cast({{ text }} as double) as bigint)
        when {{ thousands_grouped(text, fraction=false) }}
            then try_cast(replace({{ text }}, ',', '') as bigint)
    end
{%- endmacro %}


{#- A finite number; "NaN" and "inf" are not coordinates. With `thousands`, for coordinates
    and counts, also one written with commas between its thousands (412,345; macro
    thousands_grouped). Not for a score: an IMD score written 12,345 in a decimal-comma locale
    is 12.345, not 12345. -#}
{% macro parse_number(text, thousands=false) -%}
    case
        when isfinite(try_cast({{ text }} as double))
            then try_cast({{ text }} as double)
        {%- if thousands %}
        when {{ thousands_grouped(text) }}
            then try_cast(replace({{ text }}, ',', '') as double)
        {%- endif %}
    end
{%- endmacro %}


{#- True for a number whose thousands are separated by commas, as a spreadsheet formatted for
    display exports it (an easting 412,345, a roll 1,050): whole groups of three digits only,
    so that a decimal comma (412345,5 or 12,5) stays unreadable. Evaluated only where the
    plain cast failed. -#}
{% macro thousands_grouped(text, fraction=true) -%}
    regexp_full_match({{ text }}, '-?\d{1,3}(,\d{3})+{% if fraction %}(\.\d+)?{% endif %}')
{%- endmacro %}


{#- True when a point's coordinates cannot be used: a value is there but is not a number, only
    one of the two is given, or the pair cannot be British National Grid metres
    (is_off_the_grid: degrees of longitude and latitude, say, which would otherwise be taken
    for a place outside the study area). The rule of reason unparseable_coordinates for the
    offences', the persons' and the schools' points. -#}
{% macro is_unparseable_point(easting_text, easting, northing_text, northing) -%}
    ({{ is_unreadable(easting_text, easting) }}
    or {{ is_unreadable(northing_text, northing) }}
    or (({{ easting }} is null) != ({{ northing }} is null))
    or {{ is_off_the_grid(easting, northing) }})
{%- endmacro %}


{#- True when a point given as two numbers cannot be British National Grid metres: outside the
    grid (eastings 0 to 700000, northings 0 to 1300000), or both under 1000 with a fraction, as
    a longitude and latitude in degrees are (no home lies that close to the grid's origin, in
    the sea south-west of the Isles of Scilly). False when either value is null. -#}
{% macro is_off_the_grid(easting, northing) -%}
    coalesce(
        not ({{ easting }} between 0 and 700000 and {{ northing }} between 0 and 1300000)
        or (
            abs({{ easting }}) < 1000 and abs({{ northing }}) < 1000
            and ({{ easting }} != floor({{ easting }}) or {{ northing }} != floor({{ northing }}))
        ),
        false
    )
{%- endmacro %}


{#- Y/N flags, also accepting Yes/No, True/False and 1/0. -#}
{% macro parse_flag(text) -%}
    case
        when upper({{ text }}) in ('Y', 'YES', 'TRUE', '1') then true
        when upper({{ text }}) in ('N', 'NO', 'FALSE', '0') then false
    end
{%- endmacro %}


{#- True for GIAS's EstablishmentStatus (name) of an open school: Open, in any letter case
    (a force's export may write OPEN or open). -#}
{% macro is_open_status(text) -%}
    coalesce(lower({{ text }}) = 'open', false)
{%- endmacro %}


{#- True when `text` holds something that `parsed` could not read. -#}
{% macro is_unreadable(text, parsed) -%}
    ({{ text }} is not null and {{ parsed }} is null)
{%- endmacro %}


{#- Whole years from `born` to `on_date`: the age a person had reached on that day, negative
    when `on_date` is before `born`. Someone born on 29 February reaches the next age on 1 March
    in a common year, as in English law (DuckDB's date_sub would say 28 February). -#}
{% macro age_in_years(born, on_date) -%}
    (
        year({{ on_date }}) - year({{ born }})
        - case
            when strftime({{ on_date }}, '%m%d') < strftime({{ born }}, '%m%d') then 1
            else 0
        end
    )
{%- endmacro %}


{#- Sex as the contract writes it (M, F, U) in any case, or as a word (Male, Female,
    Unknown, Not known), as many force systems export it. Indeterminate (the NHS data
    dictionary's word for a person who cannot be classed as either), Not specified and Not
    recorded are U too: the project uses sex only to compare male and female offenders
    (fct_bias_checks), and rejecting the row would drop the person from every count. Anything
    else is returned as written, upper-case, for base_police__offence_persons to reject as
    unknown_sex. -#}
{% macro parse_sex(text) -%}
    {%- set unknown = [
        'UNKNOWN', 'NOT KNOWN', 'INDETERMINATE', 'NOT SPECIFIED', 'NOT RECORDED'] %}
    case upper({{ text }})
        when 'MALE' then 'M'
        when 'FEMALE' then 'F'
        {%- for word in unknown %}
        when '{{ word }}' then 'U'
        {%- endfor %}
        else upper({{ text }})
    end
{%- endmacro %}


{#- The ONS five broad ethnic groups, in the contract's form: the group's name in any case;
    the group's longer census name (`Asian, Asian British or Asian Welsh`, `Black/African/
    Caribbean/Black British`, `Mixed or Multiple ethnic groups`, `Other ethnic group`, and a
    White category such as `White British`; `White and Asian`, a Mixed one); or a
    self-defined 16+1 code (W1-W9 White, M Mixed, A Asian, B Black, O Other, as the
    police's code frame groups them). `Not stated` and `Not known` are empty. Anything else is
    returned with its first letter capitalised, for base_police__offence_persons to reject as
    unknown_ethnicity: an officer-defined code (IC1-IC6) records another thing. -#}
{% macro parse_ethnicity(text) -%}
    case
        when lower({{ text }}) in ('white', 'black', 'asian', 'mixed', 'other')
            then upper(left({{ text }}, 1)) || lower(substr({{ text }}, 2))
        when lower({{ text }}) in ('not stated', 'not known', 'unknown') then null
        when regexp_matches(lower({{ text }}), '^white ?(and|&) ') then 'Mixed'
        -- A 16+1 code's letter is its group's initial, as is a census name's first letter
        when regexp_full_match(upper({{ text }}), '[WMABO][1-9]')
            or regexp_matches(lower({{ text }}), '^((white|black|asian|mixed)\b|other ethnic)')
            then case left(upper({{ text }}), 1)
                {%- for group in ['White', 'Mixed', 'Asian', 'Black', 'Other'] %}
                when '{{ group[0] }}' then '{{ group }}'
                {%- endfor %}
            end
        else upper(left({{ text }}, 1)) || lower(substr({{ text }}, 2))
    end
{%- endmacro %}
