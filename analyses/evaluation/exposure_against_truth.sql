-- Each school's exposure_violence_rate beside the same measure on its true catchment (the
-- generator's pupil_flows.csv in var truth_dir), with the same LSOA rates, so any difference
-- comes from the catchments alone: one row per set of catchments (published, and every
-- school by the gravity and nearest methods) and school.
-- Run by scripts/exposure_evaluation.py: dbt compile renders it.
with

lsoa_rates as (
    select
        area_code as lsoa_code,
        smoothed_violent_rate_per_1000_per_year as rate
    from {{ ref('int_area_violence_rates') }}
    where area_level = 'lsoa'
),

published as (
    select * from {{ ref('fct_school_exposure') }}
),

flows as (
    select * from {{ ref('int_catchment_flows') }}
),

true_flows as (
    {{ truth_pupil_flows() | indent(4) }}
),

true_exposure as (
    select
        true_flows.urn,
        sum(true_flows.pupils * lsoa_rates.rate) / sum(true_flows.pupils) as exposure
    from true_flows
    inner join lsoa_rates
        on true_flows.lsoa_code = lsoa_rates.lsoa_code
    group by true_flows.urn
),

modelled_exposure as (
    select
        'published' as catchments,
        urn,
        exposure_violence_rate as exposure
    from published
    union all
    select
        flows.method as catchments,
        flows.urn,
        sum(flows.weight * lsoa_rates.rate) as exposure
    from flows
    inner join lsoa_rates
        on flows.lsoa_code = lsoa_rates.lsoa_code
    where flows.method in ('gravity', 'nearest')
    group by flows.method, flows.urn
)

select
    modelled_exposure.catchments,
    modelled_exposure.exposure as modelled_exposure,
    true_exposure.exposure as true_exposure
from modelled_exposure
inner join true_exposure
    on modelled_exposure.urn = true_exposure.urn
order by modelled_exposure.catchments, modelled_exposure.urn
