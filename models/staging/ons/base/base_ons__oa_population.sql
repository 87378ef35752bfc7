-- One row per output area and age read from oa_population.csv (optional: none when absent),
-- checked, in the same two forms as lsoa_population.csv (long: oa_code, age, population; or
-- the ONS wide form, one column per age). A row whose output area is not one of the OA
-- boundaries' is outside the study area. A source row is staged or rejected whole.
{{ population_rows(
    'oa_population.csv',
    source('ons', 'oa_population'),
    'oa_code',
    ['oa_code', '^oa ?(\\d\\d)?[ _]?(cd|code)$', '^output areas? code$'],
    ref('stg_ons__oa_boundaries'),
    required=false
) }}
