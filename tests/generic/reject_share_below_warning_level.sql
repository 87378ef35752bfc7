{#- A base model's rejected rows (reasons in `not_counted` aside) stay within var
    warn_reject_share of its rows: above it the rows are still rejected one by one, but so
    many that the extract may be the wrong shape, so the build warns with the figures. (Past
    var max_reject_share the staging model stops the build: macro intake_check.) -#}
{% test reject_share_below_warning_level(model, not_counted=[]) %}
with

summary as (
    {{ reject_summary(model, not_counted) | indent(4) }}
)

select
    rows_read,
    rows_rejected,
    round(100.0 * rows_rejected / rows_read, 1) as percent_rejected,
    reasons
from summary
where rows_rejected > {{ var('warn_reject_share') }} * rows_read
{% endtest %}
