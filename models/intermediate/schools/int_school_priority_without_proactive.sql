-- One row per ranked school: its priority rank recomputed twice, with every counted violent
-- offence and with those that came to light through proactive policing (proactive_flag) left
-- out, for the bias check of fct_bias_checks: how much of the top of the list rests on where
-- police look. Each time the LSOA rates are re-estimated by the same empirical-Bayes method
-- (its prior estimated afresh), and from them each school's exposure_violence_rate and its
-- pupils from high-violence areas; the other measures are held at their published values.
-- Both rankings come from exact counts by the same steps, so they differ by the proactive
-- offences alone (the published rank, from disclosure-controlled values, may differ from
-- both by a few places). Without a proactive flag (police.uk) the model has no rows.
{%- set suppressed_middle = var('disclosure_min_count') / 2 %}
with

offences as (
    select * from {{ ref('int_violent_offences_counted') }}
    where lsoa_code is not null
),

lsoa_counts as (
    select * from {{ ref('int_area_violence_counts') }}
    where area_level = 'lsoa'
),

flows as (
    select * from {{ ref('int_catchment_flows_selected') }}
),

controlled as (
    select * from {{ ref('int_school_measures_controlled') }}
),

availability as (
    select coalesce(bool_or(is_proactive is not null), false) as is_proactive_flag_available
    from offences
),

offences_by_lsoa as (
    select
        lsoa_code,
        count(*) filter (where not coalesce(is_proactive, false)) as reactive_violent_offences
    from offences
    group by lsoa_code
),

variant_counts as (
    -- area_level carries the variant, so that gamma_prior estimates a prior for each.
    select
        'all_offences' as area_level,
        lsoa_counts.area_code,
        lsoa_counts.violent_offences as area_count,
        lsoa_counts.resident_thousand_years
    from lsoa_counts
    union all
    select
        'without_proactive' as area_level,
        lsoa_counts.area_code,
        coalesce(offences_by_lsoa.reactive_violent_offences, 0) as area_count,
        lsoa_counts.resident_thousand_years
    from lsoa_counts
    left join offences_by_lsoa
        on lsoa_counts.area_code = offences_by_lsoa.lsoa_code
),

priors as (
    {{ gamma_prior('variant_counts', 'area_count', 'resident_thousand_years') }}
),

lsoa_rates as (
    select
        variant_counts.area_level as variant,
        variant_counts.area_code as lsoa_code,
        {{ smoothed_rate(
            'variant_counts.area_count', 'variant_counts.resident_thousand_years',
            'priors.prior_shape', 'priors.prior_rate') }} as lsoa_rate,
        {{ rate_is_above(
            smoothed_rate(
                'variant_counts.area_count', 'variant_counts.resident_thousand_years',
                'priors.prior_shape', 'priors.prior_rate'),
            var('high_violence_ratio') ~ ' * priors.force_rate') }} as is_high_violence
    from variant_counts
    inner join priors
        on variant_counts.area_level = priors.area_level
),

area_measures as (
    select
        flows.urn,
        lsoa_rates.variant,
        {{ exact_sum('flows.weight * lsoa_rates.lsoa_rate') }} as exposure_violence_rate,
        coalesce(
            {{ exact_sum('flows.expected_pupils', where='lsoa_rates.is_high_violence') }}, 0
        ) as pupils_from_high_violence_areas
    from flows
    inner join lsoa_rates
        on flows.lsoa_code = lsoa_rates.lsoa_code
    group by flows.urn, lsoa_rates.variant
),

measure_values as (
    select
        area_measures.urn,
        area_measures.variant as replicate,
        measures.measure,
        measures.measure_value
    from area_measures
    inner join controlled
        on area_measures.urn = controlled.urn
    cross join lateral (
        values
        ('exposure_violence_rate', area_measures.exposure_violence_rate),
        ('pupils_from_high_violence_areas', area_measures.pupils_from_high_violence_areas),
        (
            'school_aged_violent_offenders_per_1000_pupils',
            case
                when controlled.is_school_aged_violent_offenders_available
                    then 1000.0 * coalesce(
                        controlled.school_aged_violent_offenders, {{ suppressed_middle }}
                    ) / controlled.pupils_on_roll
            end
        ),
        (
            'near_school_commute_violence',
            case
                when controlled.is_near_school_commute_violence_available
                    then coalesce(
                        controlled.near_school_commute_violence, {{ suppressed_middle }}
                    )
            end
        )
    ) as measures (measure, measure_value)
),

ranked as (
    {{ priority_ranks('measure_values') }}
),

final as (
    select
        -- ids
        ranked.urn,

        -- measures
        cast(
            any_value(ranked.priority_rank) filter (where ranked.replicate = 'all_offences')
            as bigint
        ) as priority_rank_all_offences,
        cast(
            any_value(ranked.priority_rank) filter (
                where ranked.replicate = 'without_proactive'
            ) as bigint
        ) as priority_rank_without_proactive
    from ranked
    cross join availability
    where availability.is_proactive_flag_available
    group by ranked.urn
)

select * from final
