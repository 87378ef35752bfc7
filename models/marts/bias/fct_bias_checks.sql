-- One row per bias check and group: counted violent offences, and those that came to light
-- through proactive policing (proactive_flag), by the deprivation decile of the LSOA they
-- were placed in and by local authority, with the residents and the rate per 1,000 a year.
-- Recorded violence reflects reporting and policing as well as violence: where proactive
-- policing finds much of it, a high rate may say as much about where police look. Counts go
-- through disclosure control (config.meta.disclosure); rates and shares are then computed
-- from the published, rounded counts. Every decile 1 to 10 has a row, whether or not the
-- force area has LSOAs in it.
{%- set derived = {
    'violent_rate_per_1000_per_year':
        'round(violent_offences / nullif(resident_thousand_years, 0), 6)',
    'proactive_share':
        'round(proactive_violent_offences / nullif(violent_offences, 0), 6)',
} %}
with

offences as (
    select * from {{ ref('int_violent_offences_counted') }}
    where lsoa_code is not null
),

deprivation as (
    select * from {{ ref('stg_mhclg__deprivation') }}
),

lookup as (
    select * from {{ ref('stg_ons__lsoa_lookup') }}
),

residents as (
    select * from {{ ref('int_lsoa_residents') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

lsoa_groups as (
    select
        residents.lsoa_code,
        residents.residents,
        coalesce(cast(deprivation.imd_decile as varchar), 'unknown') as imd_decile,
        coalesce(lookup.lad_code, 'unknown') as lad_code,
        lookup.lad_name
    from residents
    left join deprivation
        on residents.lsoa_code = deprivation.lsoa_code
    left join lookup
        on residents.lsoa_code = lookup.lsoa_code
),

offences_by_lsoa as (
    select
        lsoa_code,
        count(*) as violent_offences,
        count(*) filter (where is_proactive) as proactive_violent_offences
    from offences
    group by lsoa_code
),

availability as (
    -- Without a proactive flag (police.uk publishes none) the proactive count is unknown.
    select coalesce(bool_or(is_proactive is not null), false) as is_proactive_flag_available
    from offences
),

lsoa_counts as (
    select
        lsoa_groups.*,
        coalesce(offences_by_lsoa.violent_offences, 0) as violent_offences,
        coalesce(offences_by_lsoa.proactive_violent_offences, 0)
            as proactive_violent_offences
    from lsoa_groups
    left join offences_by_lsoa
        on lsoa_groups.lsoa_code = offences_by_lsoa.lsoa_code
),

deciles as (
    -- Every decile, so that one without LSOAs in the force area shows with none.
    select cast(deciles.decile as varchar) as imd_decile
    from range(1, 11) as deciles (decile)
    union all
    select distinct lsoa_counts.imd_decile
    from lsoa_counts
    where lsoa_counts.imd_decile = 'unknown'
),

by_decile as (
    select
        'violence_by_deprivation_decile' as check_name,
        deciles.imd_decile as breakdown,
        case deciles.imd_decile
            when '1' then '1 (most deprived 10%)'
            when '10' then '10 (least deprived 10%)'
            else deciles.imd_decile
        end as breakdown_name,
        coalesce(sum(lsoa_counts.violent_offences), 0) as violent_offences,
        coalesce(sum(lsoa_counts.proactive_violent_offences), 0) as proactive_violent_offences,
        coalesce(sum(lsoa_counts.residents), 0) as residents
    from deciles
    left join lsoa_counts
        on deciles.imd_decile = lsoa_counts.imd_decile
    group by deciles.imd_decile
),

by_authority as (
    select
        'violence_by_local_authority' as check_name,
        lad_code as breakdown,
        any_value(lad_name) as breakdown_name,
        sum(violent_offences) as violent_offences,
        sum(proactive_violent_offences) as proactive_violent_offences,
        sum(residents) as residents
    from lsoa_counts
    group by lad_code
),

counted as (
    select
        checks.check_name,
        checks.breakdown,
        checks.breakdown_name,
        cast(checks.violent_offences as bigint) as violent_offences,
        case
            when availability.is_proactive_flag_available
                then cast(checks.proactive_violent_offences as bigint)
        end as proactive_violent_offences,
        availability.is_proactive_flag_available,
        cast(checks.residents as bigint) as residents,
        checks.residents * analysis_window.window_years / 1000 as resident_thousand_years
    from (
        select * from by_decile
        union all
        select * from by_authority
    ) as checks
    cross join availability
    cross join analysis_window
),

controlled as (
    {{ disclosure_control('counted', derived=derived) }}
),

final as (
    select
        -- ids
        check_name,
        breakdown,

        -- attributes
        breakdown_name,

        -- measures
        violent_offences,
        violent_offences_suppressed,
        residents,
        violent_rate_per_1000_per_year,
        is_proactive_flag_available,
        proactive_violent_offences,
        proactive_violent_offences_suppressed,
        proactive_share
    from controlled
)

-- In a fixed order, so that every reader sees the rows in the same order.
select * from final
order by check_name, try_cast(breakdown as integer) nulls last, breakdown
