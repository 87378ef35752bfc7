{{ rejected_rows(ref('base_ons__oa_population'), ['oa_code', 'age']) }}
