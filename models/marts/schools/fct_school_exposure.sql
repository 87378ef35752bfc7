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
--
-- A measure the data cannot support (int_measure_availability: no person rows, no times of
-- day) is null, never zero, and leaves the score: its weight becomes 0 and the others are
-- renormalised, so it adds neither signal nor random noise to the ranks.
{%- set weights = var('priority_weights') %}
{%- set score_terms = [] %}
{%- set weight_terms = [] %}
{%- for measure, weight in weights.items() %}
    {%- do score_terms.append(weight ~ ' * uses_' ~ measure ~ ' * coalesce(percent_rank() over'
        ~ ' (partition by replicate order by ' ~ measure ~ '), 0)') %}
    {%- do weight_terms.append(weight ~ ' * uses_' ~ measure) %}
{%- endfor %}
{%- set suppressed_middle = var('disclosure_min_count') / 2 %}
with

measures as (
    select * from {{ ref('int_school_exposure_measures') }}
),

measure_availability as (
    select * from {{ ref('int_measure_availability') }}
),

measure_flags as (
    -- One row: whether each measure is available (a measure not listed there is).
    select
        {%- for measure in weights %}
            coalesce(bool_or(is_available) filter (where measure = '{{ measure }}'), true)
                as is_{{ measure }}_available{{ "," if not loop.last }}
        {%- endfor %}
    from measure_availability
),

availability as (
    select
        *,
        -- the measures the score uses (weighted and available), in var priority_weights order
        concat_ws(
            ', '
            {%- for measure, weight in weights.items() if weight > 0 %},
            case when is_{{ measure }}_available then '{{ measure }}' end
            {%- endfor %}
        ) as priority_measures
    from measure_flags
),

counted as (
    select
        measures.urn,
        measures.school_name,
        measures.phase,
        measures.establishment_type,
        measures.la_code,
        measures.la_name,
        measures.pupils_on_roll,
        measures.roll_source,
        measures.catchment_method,
        measures.on_vru_list,
        -- Published rates to a fixed precision, and every later value computed from them,
        -- so that the last bits of a floating-point sum cannot reorder schools on a rebuild.
        round(measures.exposure_violence_rate, 6) as exposure_violence_rate,
        round(measures.exposure_violence_rate_lower, 6) as exposure_violence_rate_lower,
        round(measures.exposure_violence_rate_upper, 6) as exposure_violence_rate_upper,
        round(measures.exposure_variance, 9) as exposure_variance,
        round(measures.force_violent_rate_per_1000_per_year, 6)
            as force_violent_rate_per_1000_per_year,
        round(measures.pupils_from_high_violence_areas) as pupils_from_high_violence_areas,
        round(measures.pupils_from_high_violence_areas_variance, 6)
            as pupils_from_high_violence_areas_variance,
        case
            when availability.is_school_aged_violent_offenders_per_1000_pupils_available
                then round(measures.school_aged_violent_offenders)
        end as school_aged_violent_offenders,
        case
            when availability.is_near_school_commute_violence_available
                then measures.near_school_commute_violence
        end as near_school_commute_violence,
        availability.is_school_aged_violent_offenders_per_1000_pupils_available
            as is_school_aged_violent_offenders_available,
        availability.is_near_school_commute_violence_available,
        availability.priority_measures
    from measures
    cross join availability
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

weights_in_use as (
    -- 1 for a measure the score uses, 0 for one the data cannot support.
    select
        {%- for measure in weights %}
            cast(is_{{ measure }}_available as integer)
                as uses_{{ measure }}{{ "," if not loop.last }}
        {%- endfor %}
    from availability
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
        all_values.urn,
        all_values.replicate,
        -- rounded, so that scores equal but for the order of additions tie exactly
        round(
            100 * ({{ score_terms | join(' + ') }})
            / nullif({{ weight_terms | join(' + ') }}, 0),
            9
        ) as priority_score
    from all_values
    cross join weights_in_use
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
        controlled.is_school_aged_violent_offenders_available,
        controlled.is_near_school_commute_violence_available,

        -- priority
        controlled.priority_measures,
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

-- In URN order, so that every reader sees the rows in the same order.
select * from final
order by urn
