-- Each catchment method of int_catchment_flows against the synthetic truth (the generator's
-- pupil_flows.csv in var truth_dir): per method, the schools it covers, the share of pupils
-- placed in the right LSOA (each school's modelled shares applied to its true pupils), and
-- Pearson's correlation over every LSOA and school pair either has.
-- Run by scripts/catchment_evaluation.py: dbt compile renders it.
with

truth as (
    {{ truth_pupil_flows() | indent(4) }}
),

modelled as (
    select * from {{ ref('int_catchment_flows') }}
),

true_totals as (
    select
        urn,
        sum(pupils) as pupils
    from truth
    group by urn
),

scaled as (
    -- The modelled shares applied to the school's true pupils: only where they live counts.
    select
        modelled.method,
        modelled.urn,
        modelled.lsoa_code,
        modelled.weight * true_totals.pupils as pupils
    from modelled
    inner join true_totals
        on modelled.urn = true_totals.urn
),

covered as (
    select distinct
        method,
        urn
    from scaled
),

true_by_method as (
    select
        covered.method,
        truth.urn,
        truth.lsoa_code,
        truth.pupils
    from truth
    inner join covered
        on truth.urn = covered.urn
),

paired as (
    select
        coalesce(scaled.method, true_by_method.method) as method,
        coalesce(scaled.urn, true_by_method.urn) as urn,
        coalesce(scaled.pupils, 0) as modelled_pupils,
        coalesce(true_by_method.pupils, 0) as true_pupils
    from scaled
    full outer join true_by_method
        on
            scaled.method = true_by_method.method
            and scaled.urn = true_by_method.urn
            and scaled.lsoa_code = true_by_method.lsoa_code
)

select
    method,
    count(distinct urn) as schools,
    sum(least(modelled_pupils, true_pupils)) / sum(true_pupils) as share_right,
    corr(modelled_pupils, true_pupils) as pupils_correlation
from paired
group by method
order by method
