{#- A data-quality check of fct_data_quality (`check_name`) is within its threshold: fails
    (configured as a warning, with its reason in the test's description) with every row of
    the check whose share passes it. -#}
{% test quality_check_meets_threshold(model, check_name) %}
select
    source,
    check_name,
    breakdown,
    rows_counted,
    denominator,
    round(share, 4) as share,
    threshold,
    threshold_kind
from {{ model }}
where check_name = '{{ check_name }}' and not meets_threshold
{% endtest %}
