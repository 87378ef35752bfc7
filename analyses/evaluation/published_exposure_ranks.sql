-- Each school's published exposure_violence_rate and its rank (ties by URN), which
-- scripts/catchment_sensitivity.py compares between builds with different distance decays.
with

published as (
    select * from {{ ref('fct_school_exposure') }}
)

select
    urn,
    exposure_violence_rate as exposure,
    rank() over (order by exposure_violence_rate desc, urn asc) as exposure_rank
from published
