-- One row per output area of the OA boundaries (none without them): its LSOA, residents and
-- resident children of school age (macro residents_by_area), the denominators of
-- the output-area rates. OA boundaries without oa_population.csv stop the build: the level
-- would have counts without residents, and its rates would be wrong, not missing.
with

oas as (
    select * from {{ ref('stg_ons__oa_boundaries') }}
),

population as (
    select * from {{ ref('stg_ons__oa_population') }}
),

by_oa as (
    {{ residents_by_area('population', 'oa_code') }}
),

-- Stops the build here when the output areas have no population.
population_check as materialized (
    select
        case
            when
                (select count(*) from oas) > 0
                and (select count(*) from population) = 0
                then error(
                    'oa_boundaries is in the raw directory but oa_population.csv is not (or'
                    || ' has no staged rows): the output-area level needs both. Add'
                    || ' oa_population.csv (oa_code, age, population; see'
                    || ' extract-contract.md), or remove oa_boundaries to build without the'
                    || ' output-area level.'
                )
            else true
        end as passes
),

final as (
    select
        oas.oa_code,
        oas.lsoa_code,
        coalesce(by_oa.residents, 0) as residents,
        coalesce(by_oa.resident_children, 0) as resident_children
    from oas
    left join by_oa
        on oas.oa_code = by_oa.oa_code
    where (select population_check.passes from population_check)
)

select * from final
