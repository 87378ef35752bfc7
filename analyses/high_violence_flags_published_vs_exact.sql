-- How many areas the published fct_area_violence flags differently from the exact counts the
-- school measures use. Published flags come from rounded counts (disclosure control), so an
-- area within rounding of the high-violence threshold can differ; suppressed areas have no
-- published flag. On the demo at scale 1: 1 of 1,717 LSOAs, none at higher levels.
with

exact as (
    select * from {{ ref('int_area_violence_rates') }}
),

published as (
    select * from {{ ref('fct_area_violence') }}
),

final as (
    select
        exact.area_level,
        count(*) as areas,
        count(*) filter (where published.is_high_violence is null) as suppressed,
        count(*) filter (
            where published.is_high_violence <> exact.is_high_violence
        ) as flagged_differently
    from exact
    inner join published
        on exact.area_level = published.area_level and exact.area_code = published.area_code
    group by exact.area_level
)

select * from final
