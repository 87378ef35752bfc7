{#- The first reason, in the order given, why a raw row cannot be staged; null for a good row.
    `checks` is a list of (reason_code, condition) pairs. Every reason code is listed in the
    docs block `reject_reasons` (models/staging/_staging__docs.md). -#}
{% macro first_reject_reason(checks) -%}
    case
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
