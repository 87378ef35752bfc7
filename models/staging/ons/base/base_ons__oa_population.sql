-- One row per output area and age read from oa_population.csv (optional: none when absent),
-- checked, in the same two forms as lsoa_population.csv (long: oa_code, age, population; or
-- the ONS wide form, one column per age). A row whose output area is not one of the OA
-- boundaries' is outside the study area. A source row is staged or rejected whole.
{%- set path = find_raw_file('oa_population.csv') %}
{%- set available = raw_file_columns(path) if path is not none else [] %}
{%- set is_wide_form = execute and path is not none
    and match_raw_column(available, ['age']) is none
    and match_raw_column(available, ['0']) is not none %}
{%- set oa_code_names = ['oa_code', '^oa ?(\\d\\d)?[ _]?(cd|code)$', '^output areas? code$'] %}

with

oas as (
    select * from {{ ref('base_ons__oa_boundaries') }}
    where reject_reason is null
),

raw_population as (
    {%- if is_wide_form %}
    select
        * exclude (lsoa_code),
        lsoa_code as oa_code
    from (
        {{ wide_population_rows(
            'oa_population.csv', source('ons', 'oa_population'), oa_code_names, available
        ) | indent(8) }}
    )
    {%- else %}
    {{ raw_rows('oa_population.csv', source('ons', 'oa_population'), {
        'oa_code': {'required': true, 'names': oa_code_names},
        'age': {'required': true},
        'population': {'required': true},
    }, required=false, allow_empty=true) }}
    {%- endif %}
),

typed as (
    select
        raw_population.source_row_number,
        raw_population.malformed_reason,
        upper(raw_population.oa_code) as oa_code,
        oas.oa_code is not null as is_in_study_area,
        {{ parse_integer('raw_population.age') }} as age,
        {{ parse_number('raw_population.population') }} as population
    from raw_population
    left join oas
        on upper(raw_population.oa_code) = oas.oa_code
),

checked_values as (
    select
        *,
        {{ first_reject_reason([
            ('missing_oa_code', 'oa_code is null'),
            ('outside_study_area', 'not is_in_study_area'),
            ('unparseable_age', 'age is null or age not between 0 and 90'),
            ('unparseable_population', 'population is null or population < 0'),
            ('duplicate_oa_age', is_repeat_of_earlier_row(['oa_code', 'age'])),
        ], malformed_reason='malformed_reason') }} as value_reject_reason
    from typed
),

checked as (
    select
        source_row_number,
        oa_code,
        age,
        population,
        -- A source row is staged or rejected whole: a wide-form row for the reason of its
        -- youngest failing value.
        arg_min(value_reject_reason, coalesce(age, -1)) filter (
            where value_reject_reason is not null
        ) over (partition by source_row_number) as reject_reason
    from checked_values
)

select * from checked
