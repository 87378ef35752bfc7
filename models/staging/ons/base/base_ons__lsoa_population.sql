-- One row per LSOA and age read from lsoa_population.csv, checked. Two forms are read, told
-- apart by the columns: the long form (lsoa_code, age, population: one row per value) and the
-- ONS mid-year estimate wide form (an LSOA code, optional name and total, and one column per
-- age 0..89 plus 90 or 90+: one row per LSOA), unpivoted to the long form. A source row is
-- staged or rejected whole. Age 90 stands for 90 and over.
{%- set path = required_raw_file('lsoa_population.csv') %}
{%- set available = raw_file_columns(path) %}
{%- set is_wide_form = execute
    and match_raw_column(available, ['age']) is none
    and match_raw_column(available, ['0']) is not none %}
{%- set lsoa_code_names = [
    'lsoa_code', '^lsoa ?(\\d\\d)?[ _]?(cd|code)$', '^lsoa code \\(20\\d\\d\\)$'] %}

with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

raw_population as (
    {%- if is_wide_form %}
    {{ wide_population_rows(
        'lsoa_population.csv', source('ons', 'lsoa_population'), lsoa_code_names, available
    ) }}
    {%- else %}
    {{ raw_rows('lsoa_population.csv', source('ons', 'lsoa_population'), {
        'lsoa_code': {'required': true, 'names': lsoa_code_names},
        'age': {'required': true},
        'population': {'required': true},
        'total_population': {'names': []},
    }) }}
    {%- endif %}
),

typed as (
    select
        raw_population.source_row_number,
        raw_population.malformed_reason,
        upper(raw_population.lsoa_code) as lsoa_code,
        lsoas.lsoa_code is not null as is_in_study_area,
        {{ parse_integer('raw_population.age') }} as age,
        {{ parse_number('raw_population.population') }} as population,
        {{ parse_number('raw_population.total_population') }} as source_total_population
    from raw_population
    left join lsoas
        on upper(raw_population.lsoa_code) = lsoas.lsoa_code
),

checked_values as (
    select
        *,
        {{ first_reject_reason([
            ('missing_lsoa_code', 'lsoa_code is null'),
            ('outside_study_area', 'not is_in_study_area'),
            ('unparseable_age', 'age is null or age not between 0 and 90'),
            ('unparseable_population', 'population is null or population < 0'),
            ('duplicate_lsoa_age', is_repeat_of_earlier_row(['lsoa_code', 'age'])),
        ], malformed_reason='malformed_reason') }} as value_reject_reason
    from typed
),

checked as (
    select
        source_row_number,
        lsoa_code,
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
