-- One row per open school with pupils: its exposure measures, disclosure-controlled, and its
-- priority score and rank with an interval.
--
-- Order of work: (1) the exact measures (int_school_exposure_measures), with the fractional
-- counts (offenders shared out by catchment weights, modelled pupils) rounded to whole
-- persons first; (2) disclosure control (macro disclosure_control, config.meta.disclosure);
-- (3) the priority score and rank from the *published* values only, so that no rank can
-- reveal a suppressed count: a suppressed count enters as the middle of the suppressed range.
--
-- priority_score = 100 * sum_k weight_k * percent_rank_k / sum_k weight_k over the measures
-- of var priority_weights (percent_rank: the share of other schools with a lower value; ties
-- share it). priority_rank = 1 + the number of schools with a higher score (ties share the
-- better rank). The interval: var priority_rank_replicates rankings, each drawing every
-- school's measures from their uncertainty (exposure: a gamma with the posterior mean and
-- variance; pupils from high-violence areas: a gamma with the published value as mean and the
-- variance from each LSOA's probability of being high; counts c: the gamma posterior of a
-- Poisson mean under Jeffreys' prior, Gamma(c + 1/2, 1)), and taking each school's 5th and
-- 95th percentile rank, widened where needed to hold the published rank. Draws are seeded
-- by a hash of school and replicate, so a rebuild of the same data gives the same ranks.
{%- set weights = var('priority_weights') %}
{%- set weight_total = (weights.values() | sum) | round(12) %}
{%- set score_terms = [] %}
{%- for measure, weight in weights.items() %}
    {%- do score_terms.append(weight ~ ' * percent_rank() over (partition by replicate order by '
        ~ measure ~ ')') %}
{%- endfor %}
{%- set suppressed_middle = var('disclosure_min_count') / 2 %}
with

measures as (
    select * from {{ ref('int_school_exposure_measures') }}
),

counted as (
    select
        urn,
        school_name,
        phase,
        establishment_type,
        la_code,
        la_name,
        pupils_on_roll,
        roll_source,
        catchment_method,
        on_vru_list,
        exposure_violence_rate,
        exposure_violence_rate_lower,
        exposure_violence_rate_upper,
        exposure_variance,
        force_violent_rate_per_1000_per_year,
        round(pupils_from_high_violence_areas) as pupils_from_high_violence_areas,
        pupils_from_high_violence_areas_variance,
        round(school_aged_violent_offenders) as school_aged_violent_offenders,
        near_school_commute_violence
    from measures
),

controlled as (
    {{ disclosure_control('counted', derived={
        'share_pupils_from_high_violence_areas':
            'pupils_from_high_violence_areas / nullif(pupils_on_roll, 0)',
        'share_pupils_from_high_violence_areas_lower':
            moment_matched_gamma_bound('lower', 'pupils_from_high_violence_areas',
                'pupils_from_high_violence_areas_variance')
            ~ ' / nullif(pupils_on_roll, 0)',
        'share_pupils_from_high_violence_areas_upper':
            moment_matched_gamma_bound('upper', 'pupils_from_high_violence_areas',
                'pupils_from_high_violence_areas_variance')
            ~ ' / nullif(pupils_on_roll, 0)',
        'school_aged_violent_offenders_per_1000_pupils':
            crude_rate('school_aged_violent_offenders', 'pupils_on_roll / 1000.0'),
        'school_aged_violent_offenders_per_1000_pupils_lower':
            crude_rate_bound('lower', 'school_aged_violent_offenders',
                'pupils_on_roll / 1000.0'),
        'school_aged_violent_offenders_per_1000_pupils_upper':
            crude_rate_bound('upper', 'school_aged_violent_offenders',
                'pupils_on_roll / 1000.0'),
        'near_school_commute_violence_lower':
            crude_rate_bound('lower', 'near_school_commute_violence', '1'),
        'near_school_commute_violence_upper':
            crude_rate_bound('upper', 'near_school_commute_violence', '1'),
    }) }}
),

-- The published values the ranking may use: a suppressed count is the middle of the
-- suppressed range, the same for every school, so it reveals nothing.
rankable as (
    select
        urn,
        pupils_on_roll,
        exposure_violence_rate,
        exposure_variance,
        coalesce(pupils_from_high_violence_areas, {{ suppressed_middle }})
            as pupils_from_high_violence_areas,
        pupils_from_high_violence_areas_variance,
        coalesce(school_aged_violent_offenders, {{ suppressed_middle }})
            as school_aged_violent_offenders,
        coalesce(near_school_commute_violence, {{ suppressed_middle }})
            as near_school_commute_violence
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
            'exposure_violence_rate', 'exposure_variance',
            uniform_draw('rankable.urn', 'replicates.replicate', 1)) }}
            as exposure_violence_rate,
        {{ moment_matched_gamma_draw(
            'pupils_from_high_violence_areas', 'pupils_from_high_violence_areas_variance',
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

scored as (
    select
        urn,
        replicate,
        100 * ({{ score_terms | join(' + ') }}) / {{ weight_total }} as priority_score
    from all_values
),

ranked as (
    select
        urn,
        replicate,
        priority_score,
        rank() over (partition by replicate order by priority_score desc) as priority_rank
    from scored
),

rank_intervals as (
    select
        urn,
        any_value(priority_score) filter (where replicate = 0) as priority_score,
        any_value(priority_rank) filter (where replicate = 0) as priority_rank,
        quantile_disc(priority_rank, {{ interval_tail('lower') }}) filter (
            where replicate > 0
        ) as priority_rank_lower,
        quantile_disc(priority_rank, {{ interval_tail('upper') }}) filter (
            where replicate > 0
        ) as priority_rank_upper
    from ranked
    group by urn
),

final as (
    select
        -- ids
        controlled.urn,

        -- attributes
        controlled.school_name,
        controlled.phase,
        controlled.establishment_type,
        controlled.la_code,
        controlled.la_name,
        controlled.catchment_method,
        controlled.roll_source,

        -- measures
        cast(controlled.pupils_on_roll as bigint) as pupils_on_roll,
        controlled.exposure_violence_rate,
        controlled.exposure_violence_rate_lower,
        controlled.exposure_violence_rate_upper,
        100 * controlled.exposure_violence_rate
        / controlled.force_violent_rate_per_1000_per_year as exposure_index,
        100 * controlled.exposure_violence_rate_lower
        / controlled.force_violent_rate_per_1000_per_year as exposure_index_lower,
        100 * controlled.exposure_violence_rate_upper
        / controlled.force_violent_rate_per_1000_per_year as exposure_index_upper,
        cast(controlled.pupils_from_high_violence_areas as bigint)
            as pupils_from_high_violence_areas,
        controlled.pupils_from_high_violence_areas_suppressed,
        controlled.share_pupils_from_high_violence_areas,
        controlled.share_pupils_from_high_violence_areas_lower,
        controlled.share_pupils_from_high_violence_areas_upper,
        cast(controlled.school_aged_violent_offenders as bigint)
            as school_aged_violent_offenders,
        controlled.school_aged_violent_offenders_suppressed,
        controlled.school_aged_violent_offenders_per_1000_pupils,
        controlled.school_aged_violent_offenders_per_1000_pupils_lower,
        controlled.school_aged_violent_offenders_per_1000_pupils_upper,
        cast(controlled.near_school_commute_violence as bigint)
            as near_school_commute_violence,
        controlled.near_school_commute_violence_suppressed,
        controlled.near_school_commute_violence_lower,
        controlled.near_school_commute_violence_upper,

        -- priority
        rank_intervals.priority_score,
        cast(rank_intervals.priority_rank as bigint) as priority_rank,
        -- The simulated range can sit wholly on one side of the published rank (noise lets
        -- many schools overtake a school near the top, few fall behind it); the interval is
        -- widened to hold the published rank, so it never contradicts it.
        cast(least(rank_intervals.priority_rank_lower, rank_intervals.priority_rank) as bigint)
            as priority_rank_lower,
        cast(greatest(rank_intervals.priority_rank_upper, rank_intervals.priority_rank) as bigint)
            as priority_rank_upper,
        controlled.on_vru_list,
        rank_intervals.priority_rank <= {{ var('priority_top_n') }}
        and not controlled.on_vru_list as is_new_candidate
    from controlled
    inner join rank_intervals
        on controlled.urn = rank_intervals.urn
)

select * from final
