{{ rejected_rows(ref('base_vru__vru_schools'), ['urn', 'programme']) }}
