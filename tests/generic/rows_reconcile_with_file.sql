{#- Every row of a raw file is accounted for: staged rows (the model) plus rejected rows equal
    the rows in the file. Fails with the three counts when they do not add up. An optional
    file that is absent counts as zero rows read. For a CSV file, the rows are counted by the
    reader's own scan (macro inspect_raw_csv): well-formed rows plus malformed ones, whose
    every physical line is accounted for (lines an open quote joined into one row stop the
    build before this test).

    A file whose rows are reshaped (the ONS wide population form: one source row per LSOA, one
    staged row per LSOA and age) is reconciled in source rows: pass `source_rows_of`, the base
    model that numbers them (source_row_number, reject_reason); staged rows are then the
    distinct source rows of that model with no reject reason, and the rejects model must hold
    one row per rejected source row.

    With `police_uk` true, in open-data mode (macro offence_source) the rows are counted in the
    police.uk files instead, line by line (macro police_uk_data_lines). -#}
{% test rows_reconcile_with_file(model, file_name, rejects, source_rows_of=none, police_uk=false) %}
{%- set path = find_raw_file(file_name) %}
with

counts as (
    select
        {% if police_uk and offence_source() == 'police_uk' -%}
        {{ police_uk_data_lines() }}
        {%- elif path is none -%}
        0
        {%- elif is_csv(path) -%}
        {{ inspect_raw_csv(path, file_name).rows }}
        {%- else -%}
        (select count(*) from {{ raw_reader(path) }})
        {%- endif %} as rows_read,
        {% if source_rows_of is none -%}
        (select count(*) from {{ model }})
        {%- else -%}
        (
            select count(distinct source_row_number) from {{ source_rows_of }}
            where reject_reason is null
        )
        {%- endif %} as rows_staged,
        (select count(*) from {{ rejects }}) as rows_rejected
)

select *
from counts
where rows_read != rows_staged + rows_rejected
{% endtest %}
