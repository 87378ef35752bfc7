-- Invariant (warning): where lsoa_lookup.csv gives MSOAs (or wards) at all, it gives one for
-- every LSOA; an LSOA whose MSOA or ward is empty is left out of that level's rows with its
-- offences and residents. Returns each such LSOA and the level it is missing from.
{{ config(severity='warn') }}

with

lookup as (
    select * from {{ ref('stg_ons__lsoa_lookup') }}
),

levels_given as (
    select
        count(msoa_code) > 0 as has_msoas,
        count(ward_code) > 0 as has_wards
    from lookup
)

select
    lookup.lsoa_code,
    case when lookup.msoa_code is null then 'msoa' else 'ward' end as missing_level
from lookup
cross join levels_given
where
    (levels_given.has_msoas and lookup.msoa_code is null)
    or (levels_given.has_wards and lookup.ward_code is null)
