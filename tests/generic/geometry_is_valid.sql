{#- Fails with every row whose geometry is missing or not valid (OGC validity). -#}
{% test geometry_is_valid(model, column_name) %}
select *
from {{ model }}
where {{ column_name }} is null or not st_isvalid({{ column_name }})
{% endtest %}
