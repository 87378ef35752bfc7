{{ rejected_rows(ref('base_dfe__pupil_residence'), ['urn', 'lsoa_code']) }}
