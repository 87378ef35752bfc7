-- One row per school recruiting locally, segment, LSOA and variant: the expected pupils of
-- the school living in the LSOA under the gravity model (int_catchment_gravity_balanced):
-- 'calibrated', the model the measures use, and the plausible alternatives whose spread is
-- the catchment's share of their uncertainty. A school left with no candidate LSOA that has
-- children (possible only with odd inputs) is given all its pupils in its own LSOA under
-- every variant, flagged, rather than dropped.
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
        variant,
        expected_pupils,
        false as is_fallback
    from balanced
    union all
    select
        fallback.segment,
        fallback.urn,
        fallback.lsoa_code,
        variants.variant,
        fallback.expected_pupils,
        fallback.is_fallback
    from fallback
    cross join
        (values ('calibrated'), ('exponential'), ('flatter'), ('steeper')) as variants (variant)
)

select * from final
