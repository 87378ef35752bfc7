{{ rejected_rows(ref('base_ons__oa_boundaries'), ['oa_code', 'named_lsoa_code']) }}
