-- One row per school with a modelled catchment (no pupil_residence.csv rows used), variant
-- other than the calibrated one, and LSOA: the school's expected pupils living in the LSOA
-- (F) and their share of its pupils (w) under a plausible alternative to the catchment the
-- measures use: for locally recruiting schools the gravity model's alternative decays
-- (int_catchment_flows_gravity), for special schools and alternative provision the
-- alternative distance preferences (int_catchment_flows_local_authority), for independent
-- schools other ranges and leanings to less deprived areas (int_catchment_flows_independent).
-- Their spread around the calibrated catchment is the catchment's share of the measures'
-- uncertainty (int_school_exposure_alternatives). Segments are added together, as in
-- int_catchment_flows.
with

gravity as (
    select * from {{ ref('int_catchment_flows_gravity') }}
    where variant != 'calibrated'
),

local_authority as (
    select * from {{ ref('int_catchment_flows_local_authority') }}
    where variant != 'calibrated'
),

independent as (
    select * from {{ ref('int_catchment_flows_independent') }}
    where variant != 'calibrated'
),

selected as (
    select distinct urn from {{ ref('int_catchment_flows_selected') }}
    where catchment_method != 'observed'
),

summed as (
    select
        urn,
        variant,
        lsoa_code,
        -- A plain sum, not exact_sum: each term is one catchment segment's, and two doubles
        -- add to the same bits in either order, so with at most two segments
        -- (assert_catchment_segments_sum_in_any_order) every build gets the same total. At
        -- national size an exact sum of these 49 million rows took 29 s, this one 12 s.
        sum(expected_pupils) as expected_pupils
    from (
        select
            urn,
            variant,
            lsoa_code,
            expected_pupils
        from gravity
        union all
        select
            urn,
            variant,
            lsoa_code,
            expected_pupils
        from local_authority
        union all
        select
            urn,
            variant,
            lsoa_code,
            expected_pupils
        from independent
    ) as segments
    group by urn, variant, lsoa_code
),

school_totals as (
    -- Grouped and joined back, not a window: an exact window sum is ten times slower.
    select
        urn,
        variant,
        {{ exact_sum('expected_pupils') }} as expected_pupils
    from summed
    where expected_pupils > 0
    group by urn, variant
),

final as (
    select
        summed.urn,
        summed.variant,
        summed.lsoa_code,
        summed.expected_pupils,
        summed.expected_pupils / school_totals.expected_pupils as weight
    from summed
    inner join selected
        on summed.urn = selected.urn
    inner join school_totals
        on summed.urn = school_totals.urn and summed.variant = school_totals.variant
    where summed.expected_pupils > 0
)

select * from final
