-- One row per source row: a wide-form row (one LSOA, every age) is rejected whole, once.
select distinct
    source_row_number,
    reject_reason,
    lsoa_code,
    rejected_age as age
from {{ ref('base_ons__lsoa_population') }}
where reject_reason is not null
