{#- The one place geometry is transformed: to British National Grid (EPSG:27700), which every
    model after staging uses. `source_crs` is 'EPSG:27700' (returned as it is) or 'EPSG:4326'
    (longitude/latitude order, as GeoJSON and GeoPackage store it). -#}
{% macro to_bng(geom, source_crs) -%}
    case
        when {{ source_crs }} = 'EPSG:27700' then {{ geom }}
        else st_transform({{ geom }}, {{ source_crs }}, 'EPSG:27700', always_xy := true)
    end
{%- endmacro %}


{#- The CRS of a layer whose CRS is not stated: longitude/latitude if every coordinate lies
    within +-180, +-90, else British National Grid (whose coordinates in England are
    tens of thousands of metres and more). -#}
{% macro detect_crs(geom) -%}
    case
        when max(abs(st_xmax({{ geom }}))) over () <= 180
            and max(abs(st_ymax({{ geom }}))) over () <= 90
            then 'EPSG:4326'
        else 'EPSG:27700'
    end
{%- endmacro %}
