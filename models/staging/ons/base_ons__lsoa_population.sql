-- One row per row of lsoa_population.csv (long form: lsoa_code, age, population), checked.
-- Age 90 stands for 90 and over, as in the ONS mid-year estimates.

with

raw_population as (
    {{ raw_rows('lsoa_population.csv', source('ons', 'lsoa_population'), {
        'lsoa_code': {'required': true, 'names': ['lsoa_code', '^lsoa\\d\\dcd$']},
        'age': {'required': true},
        'population': {'required': true},
    }) }}
),

typed as (
    select
        source_row_number,
        upper(lsoa_code) as lsoa_code,
        {{ parse_integer('age') }} as age,
        {{ parse_number('population') }} as population,
        age as age_text,
        population as population_text
    from raw_population
),

checked as (
    select
        source_row_number,
        lsoa_code,
        age,
        population,
        {{ first_reject_reason([
            ('missing_lsoa_code', 'lsoa_code is null'),
            ('unparseable_age', 'age is null or age not between 0 and 90'),
            ('unparseable_population', 'population is null or population < 0'),
            ('duplicate_lsoa_age', is_repeat_of_earlier_row(['lsoa_code', 'age'])),
        ]) }} as reject_reason
    from typed
)

select * from checked
