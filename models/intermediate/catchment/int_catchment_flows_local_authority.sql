-- One row per special school or alternative provision (catchment_kind 'local_authority'),
-- segment, LSOA and variant: such schools take pupils from their whole local authority
-- (which places and funds them), with a mild preference for nearer homes, so their pupils
-- of each segment are shared among the LSOAs of the school's local authority district in
-- proportion to the children of the segment's ages times exp(-distance / range).
--   calibrated: range = var special_school_range_km (8 km), the model the measures use;
--   uniform:    no distance preference at all;
--   flatter / steeper: range / 0.75 and range * 0.75.
-- The alternatives' spread is the catchment's share of the measures' uncertainty. Both
-- modelled methods (gravity and nearest) use these flows. A school whose district has no
-- such children keeps its pupils in its own LSOA under every variant, flagged.
{%- set range_km = var('special_school_range_km') %}
with

rolls as (
    select * from {{ ref('int_school_rolls_by_segment') }}
    where catchment_kind = 'local_authority'
),

schools as (
    select * from {{ ref('int_school_rolls') }}
),

lsoas as (
    select * from {{ ref('int_lsoa_centroids') }}
),

children as (
    select * from {{ ref('int_lsoa_children_by_segment') }}
),

variants as (
    -- the decay per km of each variant
    select * from (
        values
        ('calibrated', 1.0 / {{ range_km }}),
        ('uniform', 0.0),
        ('flatter', 0.75 / {{ range_km }}),
        ('steeper', 1.0 / (0.75 * {{ range_km }}))
    -- the alias is there to name the columns
    ) as variant_decays (variant, decay_per_km)  -- noqa: AL05
),

district_children as (
    select
        variants.variant,
        rolls.segment,
        rolls.urn,
        children.lsoa_code,
        -- the children, weighted by the variant's distance preference
        children.children
        * exp(-variants.decay_per_km * st_distance(schools.geom, lsoas.geom) / 1000.0)
            as children
    from rolls
    inner join schools
        on rolls.urn = schools.urn
    inner join lsoas
        on schools.lad_code = lsoas.lad_code
    inner join children
        on lsoas.lsoa_code = children.lsoa_code and rolls.segment = children.segment
    cross join variants
    where children.children > 0
),

{{ share_pupils_by_children('district_children', variants='variants') }}

select * from final
