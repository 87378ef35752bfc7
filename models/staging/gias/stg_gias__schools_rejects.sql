{{ rejected_rows(ref('base_gias__schools'), ['urn', 'school_name', 'la_code']) }}
