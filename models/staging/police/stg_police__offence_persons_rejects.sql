{{ rejected_rows(ref('base_police__offence_persons'), ['crime_ref', 'person_id', 'role']) }}
