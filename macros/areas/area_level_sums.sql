{#- Every level of the area hierarchy, as the body of a CTE: one row per output area of
    `oas`, as it is, then one row per LSOA, MSOA, ward and local authority district of
    `lsoas` and one force row (area_code 'force'), each with the sums of `measures` over its
    LSOAs (through the best-fit lookup's codes). So an area's parts always add up to it, and
    the force row to every level; a level whose code the lookup does not give (msoa and ward
    are optional) has no rows. Columns: area_level, area_code, area_name (with_names),
    lsoa_code, msoa_code, ward_code, lad_code (the codes of the row's own area and of those it
    lies in: an msoa row has msoa_code and lad_code, a ward row ward_code and lad_code, the
    force row none) and the measures, as given for output areas. -#}
{% macro area_level_sums(lsoas, oas, measures, with_names=true) -%}
    {%- set levels = {
        'lsoa': {'code': 'lsoa_code', 'name': 'lsoa_name', 'lsoa': 'lsoa_code',
                 'msoa': 'msoa_code', 'ward': 'ward_code', 'lad': 'lad_code'},
        'msoa': {'code': 'msoa_code', 'name': 'msoa_name', 'lsoa': 'null',
                 'msoa': 'msoa_code', 'ward': 'null', 'lad': 'lad_code'},
        'ward': {'code': 'ward_code', 'name': 'ward_name', 'lsoa': 'null',
                 'msoa': 'null', 'ward': 'ward_code', 'lad': 'lad_code'},
        'lad': {'code': 'lad_code', 'name': 'lad_name', 'lsoa': 'null',
                'msoa': 'null', 'ward': 'null', 'lad': 'lad_code'},
        'force': {'code': "'force'", 'name': "'Force area'", 'lsoa': 'null',
                  'msoa': 'null', 'ward': 'null', 'lad': 'null'},
    } -%}
    select
        'oa' as area_level,
        oa_code as area_code,
        {%- if with_names %}
        -- ONS names no output area: its code is its name.
        oa_code as area_name,
        {%- endif %}
        lsoa_code,
        msoa_code,
        ward_code,
        lad_code,
        {%- for measure in measures %}
        {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ oas }}
    {%- for level, columns in levels.items() %}

    union all
    select
        '{{ level }}' as area_level,
        {{ columns.code }} as area_code,
        {%- if with_names %}
        -- A best-fit lookup gives one name per code; any_value guards against variants.
        any_value({{ columns.name }}) as area_name,
        {%- endif %}
        any_value({{ columns.lsoa }}) as lsoa_code,
        any_value({{ columns.msoa }}) as msoa_code,
        any_value({{ columns.ward }}) as ward_code,
        any_value({{ columns.lad }}) as lad_code,
        {%- for measure in measures %}
        sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ lsoas }}
    where {{ columns.code }} is not null
    group by {{ columns.code }}
    {%- endfor %}
{%- endmacro %}
