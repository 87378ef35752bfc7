{#- Every row of a raw file is accounted for: staged rows (the model) plus rejected rows equal
    the rows read from the file. Fails with the three counts when they do not add up. An
    optional file that is absent counts as zero rows read. -#}
{% test rows_reconcile_with_file(model, file_name, rejects) %}
{%- set path = find_raw_file(file_name) %}
with

counts as (
    select
        {% if path is none -%}
        0
        {%- else -%}
        (select count(*) from {{ raw_reader(path) }})
        {%- endif %} as rows_read,
        (select count(*) from {{ model }}) as rows_staged,
        (select count(*) from {{ rejects }}) as rows_rejected
)

select *
from counts
where rows_read != rows_staged + rows_rejected
{% endtest %}
