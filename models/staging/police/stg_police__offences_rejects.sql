{{ rejected_rows(ref('base_police__offences'), [
    'crime_ref', 'ho_offence_code', 'committed_from_at', 'recorded_at', 'easting', 'northing',
]) }}
