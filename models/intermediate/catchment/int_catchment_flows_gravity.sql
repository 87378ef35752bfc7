-- One row per school recruiting locally, segment and LSOA: the expected pupils of the school
-- living in the LSOA under the doubly constrained gravity model, with the calibrated beta
-- times var gravity_beta_scale (1 by default; sensitivity runs use 0.5 and 2).
-- A school left with no candidate LSOA that has children (possible only with odd inputs) is
-- given all its pupils in its own LSOA, flagged, rather than dropped.
with

inputs as not materialized (
    -- Scanned by every balancing round; materialising it would hold a copy in memory.
    select * from {{ ref('int_catchment_gravity_inputs') }}
),

calibration as (
    select * from {{ ref('int_catchment_gravity_calibration') }}
    where is_calibrated
),

rolls as (
    select * from {{ ref('int_school_rolls_by_segment') }}
    where catchment_kind = 'local'
),

schools as (
    select * from {{ ref('int_school_rolls') }}
),

betas as (
    select
        segment,
        beta_per_km * {{ var('gravity_beta_scale') }} as beta_per_km
    from calibration
),

{{ gravity_balancing_ctes('gravity', 'inputs', 'betas', var('gravity_ipf_iterations')) }},

fallback as (
    {{ own_lsoa_fallback('rolls', 'schools', 'gravity_flows') }}
),

final as (
    select
        segment,
        urn,
        lsoa_code,
        -- To a millionth of a pupil: beyond that the balancing leaves only floating-point
        -- noise, which would make rebuilds differ in the last digit.
        round(expected_pupils, 6) as expected_pupils,
        false as is_fallback
    from gravity_flows
    union all
    select * from fallback
)

select * from final
