{{ rejected_rows(ref('base_ons__lsoa_boundaries'), ['lsoa_code', 'lsoa_name']) }}
