{{ rejected_rows(ref('base_ons__lsoa_population'), ['lsoa_code', 'age']) }}
