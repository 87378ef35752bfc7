-- One row per LSOA, open school and catchment method: the school's expected pupils living in
-- the LSOA (F) and their share of the school's pupils (the weight w = F / sum over LSOAs of F).
--   observed: from pupil_residence.csv, for the schools it covers;
--   gravity:  doubly constrained gravity model (schools recruiting locally), or the whole
--             local authority (special schools and alternative provision), or a wide draw
--             leaning to less deprived areas (independent schools);
--   nearest:  every LSOA to its nearest school, a baseline only.
-- The segments of a school (primary and secondary ages) are added together here. The
-- modelled methods' alternatives are in int_catchment_flow_alternatives.
with

observed as (
    select * from {{ ref('int_catchment_flows_observed') }}
),

gravity as (
    select * from {{ ref('int_catchment_flows_gravity') }}
    where variant = 'calibrated'
),

nearest as (
    select * from {{ ref('int_catchment_flows_nearest') }}
),

local_authority as (
    select * from {{ ref('int_catchment_flows_local_authority') }}
    where variant = 'calibrated'
),

independent as (
    select * from {{ ref('int_catchment_flows_independent') }}
    where variant = 'calibrated'
),

drawn_without_gravity as (
    -- schools whose intake is not balanced against the state schools': the same under both
    -- modelled methods
    select * from local_authority
    union all
    select * from independent
),

all_flows as (
    select
        lsoa_code,
        urn,
        'observed' as method,
        expected_pupils,
        false as is_fallback
    from observed
    union all
    select
        lsoa_code,
        urn,
        'gravity' as method,
        expected_pupils,
        is_fallback
    from gravity
    union all
    select
        lsoa_code,
        urn,
        'nearest' as method,
        expected_pupils,
        is_fallback
    from nearest
    union all
    select
        drawn_without_gravity.lsoa_code,
        drawn_without_gravity.urn,
        modelled_methods.method,
        drawn_without_gravity.expected_pupils,
        drawn_without_gravity.is_fallback
    from drawn_without_gravity
    cross join (values ('gravity'), ('nearest')) as modelled_methods (method)
),

summed as (
    select
        lsoa_code,
        urn,
        method,
        {{ exact_sum('expected_pupils') }} as expected_pupils,
        bool_or(is_fallback) as is_fallback
    from all_flows
    group by lsoa_code, urn, method
),

school_totals as (
    -- Grouped and joined back, not a window: an exact window sum is ten times slower.
    select
        urn,
        method,
        {{ exact_sum('expected_pupils') }} as expected_pupils
    from summed
    where expected_pupils > 0
    group by urn, method
),

final as (
    select
        summed.lsoa_code,
        summed.urn,
        summed.method,
        summed.expected_pupils,
        summed.expected_pupils / school_totals.expected_pupils as weight,
        summed.is_fallback
    from summed
    inner join school_totals
        on summed.urn = school_totals.urn and summed.method = school_totals.method
    where summed.expected_pupils > 0
)

select * from final
