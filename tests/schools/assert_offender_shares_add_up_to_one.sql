-- Invariant: the shares of every home and age add up to 1 (within 1e-9), so a person
-- shared out from home is counted once over the schools, neither lost nor doubled (a
-- school listed twice would push the total over 1).
select
    home_lsoa_code,
    age_at_offence,
    sum(share) as total_share
from {{ ref('int_violent_offender_school_shares') }}
group by home_lsoa_code, age_at_offence
having abs(sum(share) - 1) > 1e-9
