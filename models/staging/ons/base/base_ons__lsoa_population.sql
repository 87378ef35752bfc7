-- One row per LSOA and age read from lsoa_population.csv, checked. Two forms are read, told
-- apart by the columns: the long form (lsoa_code, age, population: one row per value) and the
-- ONS mid-year estimate wide form (an LSOA code, optional name and total, and one column per
-- age 0..89 plus 90 or 90+: one row per LSOA), unpivoted to the long form. A source row is
-- staged or rejected whole. Age 90 stands for 90 and over.
{{ population_rows(
    'lsoa_population.csv',
    source('ons', 'lsoa_population'),
    'lsoa_code',
    ['lsoa_code', '^lsoa ?(\\d\\d)?[ _]?(cd|code)$', '^lsoa code \\(20\\d\\d\\)$'],
    ref('stg_ons__lsoa_boundaries')
) }}
