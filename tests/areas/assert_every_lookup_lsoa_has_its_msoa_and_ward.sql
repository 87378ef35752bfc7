-- Invariant (warning): where lsoa_lookup.csv gives MSOAs (or wards) at all, it gives one for
-- every LSOA; an LSOA whose MSOA or ward is empty is left out of that level's rows with its
-- offences and residents. A header that names an MSOA (or ward) column whose values are all
-- empty gives that level too: the export left it empty, and the level would be gone from
-- fct_area_violence with no word. Returns each such LSOA and the level it is missing from.
{{ config(severity='warn') }}
{%- set header = [] %}
{%- set lookup_path = find_raw_file('lsoa_lookup.csv') if execute else none %}
{%- if lookup_path is not none %}
    {%- set header = raw_file_columns(lookup_path) %}
{%- endif %}
{%- set names_msoas = match_raw_column(header, ['msoa_code', '^msoa\\d\\dcd$']) is not none %}
{%- set names_wards = match_raw_column(header, ['ward_code', '^wd\\d\\dcd$']) is not none %}

with

lookup as (
    select * from {{ ref('stg_ons__lsoa_lookup') }}
),

levels_given as (
    select
        {{ names_msoas }} or count(msoa_code) > 0 as has_msoas,
        {{ names_wards }} or count(ward_code) > 0 as has_wards
    from lookup
)

select
    lookup.lsoa_code,
    case
        when levels_given.has_msoas and lookup.msoa_code is null then 'msoa' else 'ward'
    end as missing_level
from lookup
cross join levels_given
where
    (levels_given.has_msoas and lookup.msoa_code is null)
    or (levels_given.has_wards and lookup.ward_code is null)
