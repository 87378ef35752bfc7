-- Invariant: where an LSOA has output areas, their counted violent and youth-involved
-- offences add up to the LSOA's exactly (each offence is located among its own LSOA's output
-- areas). The disclosure group oas_of_lsoa of fct_area_violence, and the cross-level audit,
-- rely on it. Returns each LSOA whose output areas do not add up.
with

counts as (
    select * from {{ ref('int_area_violence_counts') }}
),

youth_counts as (
    select * from {{ ref('int_area_youth_violence_counts') }}
),

areas as (
    select
        counts.area_level,
        counts.area_code,
        counts.lsoa_code,
        counts.violent_offences,
        youth_counts.youth_violent_offences
    from counts
    left join youth_counts
        on
            counts.area_level = youth_counts.area_level
            and counts.area_code = youth_counts.area_code
),

oa_sums as (
    select
        lsoa_code,
        sum(violent_offences) as violent_offences,
        sum(youth_violent_offences) as youth_violent_offences
    from areas
    where area_level = 'oa'
    group by lsoa_code
)

select
    lsoas.area_code as lsoa_code,
    lsoas.violent_offences,
    oa_sums.violent_offences as oa_violent_offences,
    lsoas.youth_violent_offences,
    oa_sums.youth_violent_offences as oa_youth_violent_offences
from oa_sums
inner join areas as lsoas
    on lsoas.area_level = 'lsoa' and oa_sums.lsoa_code = lsoas.area_code
where
    oa_sums.violent_offences != lsoas.violent_offences
    or oa_sums.youth_violent_offences is distinct from lsoas.youth_violent_offences
