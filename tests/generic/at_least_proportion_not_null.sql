{#- Fails when fewer than `proportion` of the rows have a value in the column: a data-quality
    floor (e.g. the 85% geocoding hit rate usually cited for crime mapping). -#}
{% test at_least_proportion_not_null(model, column_name, proportion) %}
select
    count({{ column_name }}) as with_value,
    count(*) as total
from {{ model }}
having count(*) > 0 and count({{ column_name }}) < {{ proportion }} * count(*)
{% endtest %}
