{#- Fails with every geometry whose type is not listed. DuckDB names the types in capitals:
    POLYGON, MULTIPOLYGON, POINT (not ST_Polygon). -#}
{% test geometry_type_in(model, column_name, types) %}
select st_geometrytype({{ column_name }}) as geometry_type
from {{ model }}
where {{ column_name }} is not null
    and cast(st_geometrytype({{ column_name }}) as varchar) not in {{ sql_list(types) }}
{% endtest %}
