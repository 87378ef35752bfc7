-- One row per LSOA of the boundaries: its residents, and its resident children of school age
-- (vars school_age_min_victim to school_age_max, 4 to 17 by default: the ages at which a
-- person counts as school-aged for at least one role), the denominators of the rates.
with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

population as (
    select * from {{ ref('stg_ons__lsoa_population') }}
),

by_lsoa as (
    {{ residents_by_area('population', 'lsoa_code') }}
),

final as (
    select
        lsoas.lsoa_code,
        coalesce(by_lsoa.residents, 0) as residents,
        coalesce(by_lsoa.resident_children, 0) as resident_children
    from lsoas
    left join by_lsoa
        on lsoas.lsoa_code = by_lsoa.lsoa_code
)

select * from final
