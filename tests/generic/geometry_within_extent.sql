{#- Fails with every geometry outside a bounding box: a cheap check that a layer is in
    British National Grid metres (England lies within 0-700000 E, 0-700000 N). -#}
{% test geometry_within_extent(model, column_name, xmin=0, ymin=0, xmax=700000, ymax=700000) %}
select *
from {{ model }}
where {{ column_name }} is not null
    and (
        st_xmin({{ column_name }}) < {{ xmin }} or st_xmax({{ column_name }}) > {{ xmax }}
        or st_ymin({{ column_name }}) < {{ ymin }} or st_ymax({{ column_name }}) > {{ ymax }}
    )
{% endtest %}
