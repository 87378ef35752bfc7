{#- Fails with every row for which `expression` is not true (null counts as not true). On a
    column, the expression may use the column by name. -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce({{ expression }}, false)
{% endtest %}
