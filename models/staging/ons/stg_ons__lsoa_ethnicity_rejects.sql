{{ rejected_rows(ref('base_ons__lsoa_ethnicity'), ['lsoa_code', 'ethnic_group']) }}
