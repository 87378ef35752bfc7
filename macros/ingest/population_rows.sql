{#- The body of a population base model: one row per area and age read from `file_name`,
    checked, in the long form (an area code, age, population: one row per value) or the ONS
    mid-year estimate wide form (a code, optional name and total, and one column per age 0..89
    plus 90 or 90+: one row per area), told apart by the columns and unpivoted to the long
    form. A source row is staged or rejected whole (a wide-form row for the reason of its
    youngest failing value). `code` names the area code column (lsoa_code, oa_code) of the
    result and of `areas`, the relation of the study area's areas; `code_names` are the
    column names the file may use for it; an optional file (`required` false) that is absent
    gives no rows. -#}
{% macro population_rows(file_name, source_relation, code, code_names, areas, required=true) -%}
{%- set path = required_raw_file(file_name) if required else find_raw_file(file_name) %}
{%- set available = raw_file_columns(path) if path is not none else [] %}
{%- set is_wide_form = execute and path is not none
    and match_raw_column(available, ['age']) is none
    and match_raw_column(available, ['0']) is not none %}
{%- set area = code | replace('_code', '') %}
with

areas as (
    select * from {{ areas }}
),

raw_population as (
    {%- if is_wide_form %}
    select
        * exclude (lsoa_code),
        lsoa_code as {{ code }}
    from (
        {{ wide_population_rows(file_name, source_relation, code_names, available) | indent(8) }}
    )
    {%- else %}
    {{ raw_rows(file_name, source_relation, {
        code: {'required': true, 'names': code_names},
        'age': {'required': true},
        'population': {'required': true},
        'total_population': {'names': []},
    }, required=required, allow_empty=not required) }}
    {%- endif %}
),

typed as (
    select
        raw_population.source_row_number,
        raw_population.malformed_reason,
        upper(raw_population.{{ code }}) as {{ code }},
        areas.{{ code }} is not null as is_in_study_area,
        -- 90 stands for 90 and over, which ONS files write 90+ (as the wide form's column).
        {{ parse_integer(
            "regexp_replace(cast(raw_population.age as varchar), '^90\\+$', '90')"
        ) }} as age,
        {{ parse_number('raw_population.population', thousands=true) }} as population,
        {{ parse_number('raw_population.total_population', thousands=true) }} as source_total_population
    from raw_population
    left join areas
        on upper(raw_population.{{ code }}) = areas.{{ code }}
),

checked_values as (
    select
        *,
        {{ first_reject_reason([
            ('missing_' ~ code, code ~ ' is null'),
            ('outside_study_area', 'not is_in_study_area'),
            ('unparseable_age', 'age is null or age not between 0 and 90'),
            ('unparseable_population', 'population is null or population < 0'),
            ('duplicate_' ~ area ~ '_age', is_repeat_of_earlier_row([code, 'age'])),
        ], malformed_reason='malformed_reason') }} as value_reject_reason
    from typed
),

checked as (
    select
        source_row_number,
        {{ code }},
        age,
        population,
        source_total_population,
        -- A source row is staged or rejected whole: a wide-form row for the reason of its
        -- youngest failing value.
        arg_min(value_reject_reason, coalesce(age, -1)) filter (
            where value_reject_reason is not null
        ) over (partition by source_row_number) as reject_reason,
        min(age) filter (
            where value_reject_reason is not null
        ) over (partition by source_row_number) as rejected_age
    from checked_values
)

select * from checked
{%- endmacro %}
