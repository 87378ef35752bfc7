{#- Every reject reason a base model gives is one seed reject_reasons lists for its file, so
    the seed (which the docs table mirrors) is the one list of reasons. Fails with each
    reason that is not listed. `reasons` is the seed, ref('reject_reasons'), passed so that
    the test depends on it. -#}
{% test reject_reasons_are_listed(model, column_name, source_file, reasons) %}
select distinct {{ column_name }} as unlisted_reject_reason
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (
        select reject_reason from {{ reasons }}
        where source_file = {{ sql_string(source_file) }}
    )
{% endtest %}
