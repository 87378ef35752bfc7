-- One row per school recruiting locally, segment and LSOA: the expected pupils of the school
-- living in the LSOA under the calibrated gravity model (int_catchment_gravity_balanced).
-- A school left with no candidate LSOA that has children (possible only with odd inputs) is
-- given all its pupils in its own LSOA, flagged, rather than dropped.
with

balanced as (
    select * from {{ ref('int_catchment_gravity_balanced') }}
),

rolls as (
    select * from {{ ref('int_school_rolls_by_segment') }}
    where catchment_kind = 'local'
),

schools as (
    select * from {{ ref('int_school_rolls') }}
),

fallback as (
    {{ own_lsoa_fallback('rolls', 'schools', 'balanced') }}
),

final as (
    select
        segment,
        urn,
        lsoa_code,
        expected_pupils,
        false as is_fallback
    from balanced
    union all
    select * from fallback
)

select * from final
