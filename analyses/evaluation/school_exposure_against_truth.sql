-- One row per ranked school: its published exposure_violence_rate with its 90% interval and
-- the parts of its variance, pupils_from_high_violence_areas (before disclosure control)
-- with the parts of its variance, the same two measures on its true catchment (the
-- generator's pupil_flows.csv in var truth_dir, with the same LSOA rates), how its
-- catchment is modelled, the share of its true pupils the published catchment places
-- in the right LSOA, and its published priority rank with the rank's interval beside the
-- rank it would have on the true catchments (and the published rank as this analysis
-- reproduces it, which must equal it). Run by scripts/evaluate_worlds.py.
{%- set suppressed_middle = var('disclosure_min_count') / 2 %}
with

published as (
    select * from {{ ref('fct_school_exposure') }}
),

exact as (
    select * from {{ ref('int_school_home_area_violence') }}
),

rolls as (
    select * from {{ ref('int_school_rolls') }}
),

flows as (
    select * from {{ ref('int_catchment_flows_selected') }}
),

lsoa_rates as (
    select
        area_code as lsoa_code,
        smoothed_violent_rate_per_1000_per_year as rate,
        is_high_violence
    from {{ ref('int_area_violence_rates') }}
    where area_level = 'lsoa'
),

true_flows as (
    {{ truth_pupil_flows() | indent(4) }}
),

true_exposure as (
    select
        true_flows.urn,
        sum(true_flows.pupils) as true_pupils,
        sum(true_flows.pupils * lsoa_rates.rate) / sum(true_flows.pupils) as exposure,
        coalesce(sum(true_flows.pupils) filter (where lsoa_rates.is_high_violence), 0)
            as pupils_from_high_violence_areas
    from true_flows
    inner join lsoa_rates
        on true_flows.lsoa_code = lsoa_rates.lsoa_code
    group by true_flows.urn
),

controlled as (
    select * from {{ ref('int_school_measures_controlled') }}
),

ranks as (
    select * from {{ ref('int_school_priority_ranks') }}
),

published_measures as (
    -- Every ranked school's measures as int_school_priority_ranks ranks them (a suppressed
    -- count as the middle of its range).
    select
        urn,
        exposure_violence_rate,
        coalesce(pupils_from_high_violence_areas, {{ suppressed_middle }})
            as pupils_from_high_violence_areas,
        1000.0 * coalesce(school_aged_violent_offenders, {{ suppressed_middle }})
        / pupils_on_roll as school_aged_violent_offenders_per_1000_pupils,
        coalesce(near_school_commute_violence, {{ suppressed_middle }})
            as near_school_commute_violence
    from controlled
),

ranking_measures as (
    -- Ranking 0: the published measures, which must give back the published ranks (the
    -- check that this copy of the ranking's inputs still matches the model's). Ranking 1:
    -- the two measures that rest on the catchment taken on the true one (the published
    -- value for a school the truth has no pupils for).
    select
        0 as replicate,
        *
    from published_measures
    union all
    select
        1 as replicate,
        published_measures.urn,
        coalesce(true_exposure.exposure, published_measures.exposure_violence_rate)
            as exposure_violence_rate,
        coalesce(
            true_exposure.pupils_from_high_violence_areas * exact.catchment_pupils
            / true_exposure.true_pupils,
            published_measures.pupils_from_high_violence_areas
        ) as pupils_from_high_violence_areas,
        published_measures.school_aged_violent_offenders_per_1000_pupils,
        published_measures.near_school_commute_violence
    from published_measures
    inner join exact
        on published_measures.urn = exact.urn
    left join true_exposure
        on published_measures.urn = true_exposure.urn
),

ranking_measure_values as (
    unpivot ranking_measures
    on columns(* exclude (urn, replicate))
    into name measure value measure_value
),

rankings as (
    {{ priority_ranks('ranking_measure_values') | indent(4) }}
),

reproduced_ranks as (
    select * from rankings
    where replicate = 0
),

true_ranks as (
    select * from rankings
    where replicate = 1
),

placed as (
    -- Of each school's true pupils, how many its modelled shares put in the right LSOA.
    select
        true_flows.urn,
        sum(least(true_flows.pupils, coalesce(flows.weight, 0) * true_exposure.true_pupils))
            as placed_pupils
    from true_flows
    inner join true_exposure
        on true_flows.urn = true_exposure.urn
    left join flows
        on
            true_flows.urn = flows.urn
            and true_flows.lsoa_code = flows.lsoa_code
    group by true_flows.urn
)

select
    published.urn,
    published.phase,
    rolls.catchment_kind,
    published.catchment_method,
    published.exposure_violence_rate as modelled_exposure,
    published.exposure_violence_rate_lower as modelled_exposure_lower,
    published.exposure_violence_rate_upper as modelled_exposure_upper,
    exact.exposure_rate_variance,
    exact.exposure_pupils_variance,
    exact.exposure_catchment_variance,
    exact.pupils_from_high_violence_areas as modelled_pupils_high,
    exact.pupils_from_high_violence_areas_rate_variance as pupils_high_rate_variance,
    exact.pupils_from_high_violence_areas_pupils_variance as pupils_high_pupils_variance,
    exact.pupils_from_high_violence_areas_catchment_variance as pupils_high_catchment_variance,
    true_exposure.exposure as true_exposure,
    -- the true pupils scaled to the published roll, as the modelled pupils are
    true_exposure.pupils_from_high_violence_areas * exact.catchment_pupils
    / true_exposure.true_pupils as true_pupils_high,
    true_exposure.true_pupils,
    placed.placed_pupils,
    ranks.priority_rank,
    ranks.priority_rank_lower,
    ranks.priority_rank_upper,
    reproduced_ranks.priority_rank as reproduced_priority_rank,
    true_ranks.priority_rank as true_priority_rank
from published
inner join rolls
    on published.urn = rolls.urn
inner join exact
    on published.urn = exact.urn
inner join true_exposure
    on published.urn = true_exposure.urn
inner join placed
    on published.urn = placed.urn
inner join ranks
    on published.urn = ranks.urn
inner join reproduced_ranks
    on published.urn = reproduced_ranks.urn
inner join true_ranks
    on published.urn = true_ranks.urn
order by published.urn
