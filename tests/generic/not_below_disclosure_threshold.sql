{#- Disclosure control: fails with every published count from 1 to var disclosure_min_count - 1.
    Zero may be shown; smaller counts must be null (suppressed). -#}
{% test not_below_disclosure_threshold(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} > 0 and {{ column_name }} < {{ var('disclosure_min_count') }}
{% endtest %}
