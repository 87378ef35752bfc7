{#- Within each group of rows (`group_by`), the sum of `column_name` equals the group's
    `total_column` (the same on every row of the group), within `tolerance`. Groups whose total
    is null are not checked. Returns each group that disagrees, with both figures. Used on the
    ONS wide population form, whose rows carry a total beside the single years of age. -#}
{% test sum_matches_total(model, column_name, group_by, total_column, tolerance=0.5) %}
with

totals as (
    select
        {{ group_by | join(', ') }},
        any_value({{ total_column }}) as given_total,
        sum({{ column_name }}) as sum_of_parts
    from {{ model }}
    where {{ total_column }} is not null
    group by {{ group_by | join(', ') }}
)

select *
from totals
where abs(given_total - sum_of_parts) > {{ tolerance }}
{% endtest %}
