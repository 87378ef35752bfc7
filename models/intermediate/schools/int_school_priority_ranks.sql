-- One row per open school with pupils: its priority score and rank, the rank's interval, and
-- whether it is a new candidate, from published values only (int_school_measures_controlled):
-- a suppressed count enters as the middle of the suppressed range, the same for every
-- school, so no rank can reveal a suppressed count.
--
-- priority_score = 100 * sum_k w_k * percent_rank_k over the measures of var
-- priority_weights, with w_k the weights as used (int_priority_measure_weights: renormalised
-- over the measures the data supports; an unavailable measure has weight 0 and is left out).
-- percent_rank is the share of other schools with a lower value; ties share it. The score is
-- rounded to nine decimals so that scores equal but for the order of additions tie exactly.
-- priority_rank = 1 + the number of schools with a higher score (ties share the better rank).
--
-- The interval: var priority_rank_replicates rankings, each drawing every school's measures
-- from their uncertainty (exposure: a gamma with the posterior mean and variance; pupils
-- from high-violence areas: a gamma with the published value as mean and the variance from
-- each LSOA's probability of being high; counts c: the gamma posterior of a Poisson mean
-- under Jeffreys' prior, Gamma(c + 1/2, 1)), and taking each school's 5th and 95th
-- percentile rank, widened where needed to hold the published rank. Draws are seeded by a
-- hash of school and replicate, so a rebuild of the same data gives the same ranks.
{%- set suppressed_middle = var('disclosure_min_count') / 2 %}
with

controlled as (
    select * from {{ ref('int_school_measures_controlled') }}
),

rankable as (
    select
        urn,
        on_vru_list,
        pupils_on_roll,
        exposure_violence_rate,
        exposure_variance,
        coalesce(pupils_from_high_violence_areas, {{ suppressed_middle }})
            as pupils_from_high_violence_areas,
        pupils_from_high_violence_areas_variance,
        case
            when is_school_aged_violent_offenders_available
                then coalesce(school_aged_violent_offenders, {{ suppressed_middle }})
        end as school_aged_violent_offenders,
        case
            when is_near_school_commute_violence_available
                then coalesce(near_school_commute_violence, {{ suppressed_middle }})
        end as near_school_commute_violence
    from controlled
),

point_values as (
    select
        urn,
        0 as replicate,
        exposure_violence_rate,
        pupils_from_high_violence_areas,
        1000.0 * school_aged_violent_offenders / pupils_on_roll
            as school_aged_violent_offenders_per_1000_pupils,
        near_school_commute_violence
    from rankable
),

replicate_values as (
    select
        rankable.urn,
        replicates.replicate,
        {{ moment_matched_gamma_draw(
            'rankable.exposure_violence_rate', 'rankable.exposure_variance',
            uniform_draw('rankable.urn', 'replicates.replicate', 1)) }}
            as exposure_violence_rate,
        {{ moment_matched_gamma_draw(
            'rankable.pupils_from_high_violence_areas',
            'rankable.pupils_from_high_violence_areas_variance',
            uniform_draw('rankable.urn', 'replicates.replicate', 2)) }}
            as pupils_from_high_violence_areas,
        1000.0 * gamma_quantile(
            {{ uniform_draw('rankable.urn', 'replicates.replicate', 3) }},
            rankable.school_aged_violent_offenders + 0.5, 1
        ) / rankable.pupils_on_roll as school_aged_violent_offenders_per_1000_pupils,
        gamma_quantile(
            {{ uniform_draw('rankable.urn', 'replicates.replicate', 4) }},
            rankable.near_school_commute_violence + 0.5, 1
        ) as near_school_commute_violence
    from rankable
    cross join
        range(1, {{ var('priority_rank_replicates') }} + 1) as replicates (replicate)
),

all_values as (
    select * from point_values
    union all
    select * from replicate_values
),

-- One row per school, replicate and measure.
measure_values as (
    select
        urn,
        replicate,
        'exposure_violence_rate' as measure,
        exposure_violence_rate as measure_value
    from all_values
    union all
    select
        urn,
        replicate,
        'pupils_from_high_violence_areas' as measure,
        pupils_from_high_violence_areas as measure_value
    from all_values
    union all
    select
        urn,
        replicate,
        'school_aged_violent_offenders_per_1000_pupils' as measure,
        school_aged_violent_offenders_per_1000_pupils as measure_value
    from all_values
    union all
    select
        urn,
        replicate,
        'near_school_commute_violence' as measure,
        near_school_commute_violence as measure_value
    from all_values
),

ranked as (
    {{ priority_ranks('measure_values') }}
),

rank_intervals as (
    select
        urn,
        any_value(priority_score) filter (where replicate = 0) as priority_score,
        any_value(priority_rank) filter (where replicate = 0) as priority_rank,
        quantile_disc(priority_rank, {{ interval_tail('lower') }}) filter (
            where replicate > 0
        ) as simulated_rank_lower,
        quantile_disc(priority_rank, {{ interval_tail('upper') }}) filter (
            where replicate > 0
        ) as simulated_rank_upper
    from ranked
    group by urn
),

final as (
    select
        rank_intervals.urn,
        rank_intervals.priority_score,
        cast(rank_intervals.priority_rank as bigint) as priority_rank,
        -- The simulated range can sit wholly on one side of the published rank (noise lets
        -- many schools overtake a school near the top, few fall behind it); the interval is
        -- widened to hold the published rank, so it never contradicts it.
        cast(
            least(rank_intervals.simulated_rank_lower, rank_intervals.priority_rank) as bigint
        ) as priority_rank_lower,
        cast(
            greatest(rank_intervals.simulated_rank_upper, rank_intervals.priority_rank)
            as bigint
        ) as priority_rank_upper,
        rank_intervals.priority_rank <= {{ var('priority_top_n') }}
        and not rankable.on_vru_list as is_new_candidate
    from rank_intervals
    inner join rankable
        on rank_intervals.urn = rankable.urn
)

select * from final
