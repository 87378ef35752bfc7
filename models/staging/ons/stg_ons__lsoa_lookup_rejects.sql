{{ rejected_rows(ref('base_ons__lsoa_lookup'), ['lsoa_code', 'lad_code']) }}
