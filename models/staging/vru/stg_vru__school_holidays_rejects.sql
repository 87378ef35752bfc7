{{ rejected_rows(ref('base_vru__school_holidays'), ['start_date', 'end_date']) }}
