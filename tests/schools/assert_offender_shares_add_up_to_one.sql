-- Invariant: every attributed school-aged violent offender's shares add up to 1
-- (within 1e-9), so summing shares over schools counts each person once, neither lost
-- nor doubled.
select
    person_id,
    sum(share) as total_share
from {{ ref('int_violent_offenders_attributed_to_schools') }}
group by person_id
having abs(sum(share) - 1) > 1e-9
