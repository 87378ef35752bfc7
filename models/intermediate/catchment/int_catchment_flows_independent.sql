-- One row per independent (fee-paying) school (catchment_kind 'independent'), segment, LSOA
-- and variant: such schools are chosen by families who pay fees, who travel further than
-- to a state school and live more often in less deprived areas. The gravity model, balanced
-- to each LSOA's children, would give such a school the children around it; where it stands
-- in a deprived district that is the wrong intake. So its pupils of each segment are shared
-- among the LSOAs within var independent_school_max_km in proportion to
--   children x exp(-distance / range) x affluence ^ ((decile - 1) / 9)
-- where decile is the LSOA's national IMD decile (1 most deprived; deprivation.csv) and
-- affluence var independent_school_affluence_ratio: an LSOA in the least deprived tenth sends
-- that many times the share of its children of one in the most deprived tenth. Without
-- deprivation.csv (or for an LSOA it leaves out) the decile counts as 5.5, the middle, so the
-- term then has no effect. Both figures are assumptions, not fitted: there is no public
-- figure of fee-paying pupils by the deprivation of their home, so the alternatives span them.
--   calibrated:        range var independent_school_range_km, the affluence ratio;
--   no_affluence:      the same range, no deprivation term (as a state school's intake);
--   more_affluence:    the ratio to the power 1.5;
--   nearer:            half the range (the local draw of a day school).
-- The alternatives' spread is the catchment's share of the measures' uncertainty. Both
-- modelled methods (gravity and nearest) use these flows. A school with no children within
-- reach keeps its pupils in its own LSOA under every variant, flagged.
{%- set range_km = var('independent_school_range_km') %}
{%- set ratio = var('independent_school_affluence_ratio') %}
with

rolls as (
    select * from {{ ref('int_school_rolls_by_segment') }}
    where catchment_kind = 'independent'
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

deprivation as (
    select * from {{ ref('stg_mhclg__deprivation') }}
),

variants as (
    -- each variant's decay per km and its affluence ratio between the extreme deciles
    select * from (
        values
        ('calibrated', 1.0 / {{ range_km }}, {{ ratio }}),
        ('no_affluence', 1.0 / {{ range_km }}, 1.0),
        ('more_affluence', 1.0 / {{ range_km }}, power({{ ratio }}, 1.5)),
        ('nearer', 2.0 / {{ range_km }}, {{ ratio }})
    -- the alias is there to name the columns
    ) as variant_terms (variant, decay_per_km, affluence_ratio)  -- noqa: AL05
),

reached_children as (
    select
        rolls.segment,
        rolls.urn,
        children.lsoa_code,
        children.children,
        st_distance(schools.geom, lsoas.geom) / 1000.0 as distance_km,
        coalesce(deprivation.imd_decile, 5.5) as imd_decile
    from rolls
    inner join schools
        on rolls.urn = schools.urn
    inner join lsoas
        on st_dwithin(schools.geom, lsoas.geom, {{ var('independent_school_max_km') }} * 1000.0)
    inner join children
        on lsoas.lsoa_code = children.lsoa_code and rolls.segment = children.segment
    left join deprivation
        on lsoas.lsoa_code = deprivation.lsoa_code
    where children.children > 0
),

weighted_children as (
    select
        variants.variant,
        reached_children.segment,
        reached_children.urn,
        reached_children.lsoa_code,
        reached_children.children
        * exp(-variants.decay_per_km * reached_children.distance_km)
        * power(variants.affluence_ratio, (reached_children.imd_decile - 1) / 9.0) as children
    from reached_children
    cross join variants
),

{{ share_pupils_by_children('weighted_children', variants='variants') }}

select * from final
