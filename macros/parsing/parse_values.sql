{#- Typed values from the extract's text. Each returns null for a value it cannot read, so the
    staging model can tell "absent" (the text is null) from "unreadable" (text, but null here)
    and send the row to rejects with a reason. -#}

{#- ISO 8601 local time, with a T or a space, with or without seconds
    (extract-contract.md: `2023-05-04T15:20:00` or `2023-05-04 15:20`). -#}
{% macro parse_timestamp(text) -%}
    try_strptime(
        {{ text }},
        [
            '%Y-%m-%dT%H:%M:%S',
            '%Y-%m-%d %H:%M:%S',
            '%Y-%m-%dT%H:%M',
            '%Y-%m-%d %H:%M',
            '%Y-%m-%dT%H:%M:%S.%f',
            '%Y-%m-%d %H:%M:%S.%f'
        ]
    )
{%- endmacro %}


{#- YYYY-MM-DD; an impossible calendar date (2009-02-30) is unreadable. -#}
{% macro parse_date(text) -%}
    cast(try_strptime({{ text }}, '%Y-%m-%d') as date)
{%- endmacro %}


{#- A whole number: '73', or '73.0' as some GIAS files write it. '73.5' is unreadable, not
    rounded (a cast to bigint would round it, turning a wrong URN or age into a plausible one). -#}
{% macro parse_integer(text) -%}
    case
        when try_cast({{ text }} as double) = floor(try_cast({{ text }} as double))
            then try_cast(try_cast({{ text }} as double) as bigint)
    end
{%- endmacro %}


{#- A finite number; "NaN" and "inf" are not coordinates. -#}
{% macro parse_number(text) -%}
    case
        when isfinite(try_cast({{ text }} as double))
            then try_cast({{ text }} as double)
    end
{%- endmacro %}


{#- Y/N flags, also accepting Yes/No, True/False and 1/0. -#}
{% macro parse_flag(text) -%}
    case
        when upper({{ text }}) in ('Y', 'YES', 'TRUE', '1') then true
        when upper({{ text }}) in ('N', 'NO', 'FALSE', '0') then false
    end
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
