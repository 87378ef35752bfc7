{{ rejected_rows(ref('base_mhclg__deprivation'), ['lsoa_code']) }}
