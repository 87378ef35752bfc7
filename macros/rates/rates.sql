{#- Rates per 1,000 per year and their intervals (DESIGN.md, "Area violence rate").

    Every rate here is a count over an exposure in thousands of person-years (residents times
    the window's years, divided by 1,000), so count / exposure is per 1,000 per year.
    Intervals are central, at var interval_level (0.9: from the 5th to the 95th percentile).

    Empirical Bayes (Poisson-Gamma): a count y over exposure E is Poisson(E * theta), and the
    areas' true rates theta follow a Gamma(shape a, rate b) prior estimated from all areas of
    the level (int_area_violence_rates, int_area_youth_violence_rates). The posterior is
    Gamma(a + y, b + E): its mean (a + y) / (b + E) is the smoothed rate, pulled towards the
    force-wide rate a / b the more, the smaller the area's exposure; its quantiles give the
    interval.

    gamma_quantile() and gamma_cdf() are registered by scripts/school_exposure_plugin.py. -#}

{#- Tail probabilities of the central interval. -#}
{% macro interval_tail(bound) -%}
    {%- if bound == 'lower' -%}
        {{ (1 - var('interval_level')) / 2 }}
    {%- else -%}
        {{ 1 - (1 - var('interval_level')) / 2 }}
    {%- endif -%}
{%- endmacro %}


{#- Crude rate: count / exposure; null without exposure. -#}
{% macro crude_rate(count, exposure) -%}
    ({{ count }}) / nullif({{ exposure }}, 0)
{%- endmacro %}


{#- Exact (Garwood) Poisson interval of a crude rate: the gamma quantiles of shape y (lower)
    and y + 1 (upper), so a zero count has lower bound 0. -#}
{% macro crude_rate_bound(bound, count, exposure) -%}
    gamma_quantile(
        {{ interval_tail(bound) }},
        ({{ count }}){{ ' + 1' if bound == 'upper' }},
        1
    ) / nullif({{ exposure }}, 0)
{%- endmacro %}


{#- Posterior mean: the smoothed rate. -#}
{% macro smoothed_rate(count, exposure, prior_shape, prior_rate) -%}
    (({{ prior_shape }}) + ({{ count }})) / (({{ prior_rate }}) + ({{ exposure }}))
{%- endmacro %}


{#- A bound of the posterior interval of the smoothed rate. -#}
{% macro smoothed_rate_bound(bound, count, exposure, prior_shape, prior_rate) -%}
    gamma_quantile(
        {{ interval_tail(bound) }},
        ({{ prior_shape }}) + ({{ count }}),
        ({{ prior_rate }}) + ({{ exposure }})
    )
{%- endmacro %}


{#- Posterior probability that the area's true rate exceeds a threshold rate. -#}
{% macro smoothed_rate_probability_above(threshold, count, exposure, prior_shape, prior_rate) -%}
    1 - gamma_cdf(
        {{ threshold }},
        ({{ prior_shape }}) + ({{ count }}),
        ({{ prior_rate }}) + ({{ exposure }})
    )
{%- endmacro %}


{#- The gamma prior of each level, by Marshall's (1991) global method of moments, from the
    areas of `relation` with a positive exposure: one row per area_level with force_rate
    (m = sum(y) / sum(E)), prior_shape (a = m^2 / v) and prior_rate (b = m / v), where
    v = sum(E * (y / E - m)^2) / sum(E) - m / mean(E) is the variance of the crude rates
    beyond Poisson noise. When the rates vary no more than noise would make them (v <= 0),
    v is floored at 1e-6 * m^2: every area is then shrunk (almost) fully to m. A level
    without any count has the point mass at 0 as its prior (shape 0).

    The sums are exact (macro exact_sum): a parallel sum of doubles adds in a different
    order on each run, and its last bits would move every smoothed rate of a rebuild. -#}
{% macro gamma_prior(relation, count, exposure) -%}
    with

    areas as (
        select
            area_level,
            area_code,
            {{ count }} as area_count,
            {{ exposure }} as exposure
        from {{ relation }}
        where {{ exposure }} > 0
    ),

    force as (
        select
            area_level,
            {{ exact_sum('area_count') }} / {{ exact_sum('exposure') }} as force_rate,
            {{ exact_sum('exposure') }} / count(*) as mean_exposure
        from areas
        group by area_level
    ),

    moments as (
        select
            force.area_level,
            force.force_rate,
            greatest(
                {{ exact_sum(
                    'areas.exposure'
                    ' * power(areas.area_count / areas.exposure - force.force_rate, 2)'
                ) }}
                / {{ exact_sum('areas.exposure') }}
                - force.force_rate / force.mean_exposure,
                1e-6 * power(force.force_rate, 2)
            ) as prior_variance
        from areas
        inner join force
            on areas.area_level = force.area_level
        group by force.area_level, force.force_rate, force.mean_exposure
    )

    select
        area_level,
        force_rate,
        coalesce(power(force_rate, 2) / nullif(prior_variance, 0), 0) as prior_shape,
        coalesce(force_rate / nullif(prior_variance, 0), 1) as prior_rate
    from moments
{%- endmacro %}


{#- The force-wide rate of one measure as published, as the body of a CTE (one row, column
    published_force_rate; no row when `counts` has no force row): the force row's count
    rounded as disclosure control rounds it, null below the threshold (as it would be
    suppressed), over the force's exposure. So no published figure built on it
    (fct_area_violence, the school exposure index) gives back the exact force-wide count. -#}
{% macro published_force_rate(counts, count, exposure) -%}
    select
        case
            when not coalesce({{ is_below_threshold(count) }}, false)
                then
                    {{ round_count(count) }}
                    / nullif({{ exposure }}, 0)
        end as published_force_rate
    from {{ counts }}
    where area_level = 'force'
{%- endmacro %}


{#- Whether a rate is above a threshold rate, compared at six decimals (the precision rates
    are published to). Exactly, a rate equal to its threshold (the force's own rate against
    var high_violence_ratio 1) would be above it or not by the last bit of two sums. -#}
{% macro rate_is_above(rate, threshold) -%}
    round({{ rate }}, 6) > round({{ threshold }}, 6)
{%- endmacro %}


{#- The rate columns of one measure of an area table that has `<measure>_prior_shape`,
    `<measure>_prior_rate` and `force_<measure>_rate_per_1000_per_year`, as a dict of column
    name to SQL expression: crude rate with its exact interval, smoothed rate with its
    posterior interval, and the high flag. int_area_violence_rates and
    int_area_youth_violence_rates select them on exact counts (macro area_rate_columns);
    fct_area_violence hands them to disclosure_control() to recompute on the rounded counts. -#}
{% macro area_rate_expressions(measure, count, exposure, high_flag) -%}
    {%- set posterior = [count, exposure, measure ~ '_prior_shape', measure ~ '_prior_rate'] -%}
    {%- set threshold = var('high_violence_ratio') ~ ' * force_' ~ measure
        ~ '_rate_per_1000_per_year' -%}
    {{ return({
        measure ~ '_rate_per_1000_per_year': crude_rate(count, exposure),
        measure ~ '_rate_lower': crude_rate_bound('lower', count, exposure),
        measure ~ '_rate_upper': crude_rate_bound('upper', count, exposure),
        'smoothed_' ~ measure ~ '_rate_per_1000_per_year': smoothed_rate(*posterior),
        'smoothed_' ~ measure ~ '_rate_lower': smoothed_rate_bound('lower', *posterior),
        'smoothed_' ~ measure ~ '_rate_upper': smoothed_rate_bound('upper', *posterior),
        high_flag: rate_is_above(smoothed_rate(*posterior), threshold),
    }) }}
{%- endmacro %}


{#- The columns of area_rate_expressions, selected, plus the posterior probability of being
    above the high-violence threshold (used internally for the school measures' variance). -#}
{% macro area_rate_columns(measure, count, exposure, high_flag) -%}
    {%- set threshold = var('high_violence_ratio') ~ ' * force_' ~ measure
        ~ '_rate_per_1000_per_year' -%}
    {%- for column, expression in area_rate_expressions(
        measure, count, exposure, high_flag).items() %}
    {{ expression }} as {{ column }},
    {%- endfor %}
    {{ smoothed_rate_probability_above(threshold, count, exposure, measure ~ '_prior_shape',
        measure ~ '_prior_rate') }} as {{ measure }}_probability_high
{%- endmacro %}


{#- A bound of the central interval of a positive quantity known by its mean and variance,
    taken as the gamma with the same two moments (macro moment_matched_gamma_draw at the
    bound's tail probability). A zero variance gives the mean itself. -#}
{% macro moment_matched_gamma_bound(bound, mean, variance) -%}
    {{ moment_matched_gamma_draw(mean, variance, interval_tail(bound)) }}
{%- endmacro %}


{#- A reproducible uniform draw in (0, 1) for a row and a replicate: a hash of the row's key,
    the replicate and a stream number (one per measure), so draws are independent across
    measures and the same on every rebuild of the same data. The hash's top 53 bits plus 1/2,
    over 2^53, in double arithmetic: the literal 0.5 would make the sum a DECIMAL(22,1) on a
    128-bit integer, 30 times slower, for the same correctly rounded double. -#}
{% macro uniform_draw(key, replicate, stream) -%}
    (
        (cast(hash({{ key }}, {{ replicate }}, {{ stream }}) // 2048 as double) + 0.5)
        / 9007199254740992.0
    )
{%- endmacro %}


{#- A draw from the gamma with the given mean and variance (the mean itself when either is
    not positive), by inverting its distribution function at a uniform draw. -#}
{% macro moment_matched_gamma_draw(mean, variance, uniform) -%}
    case
        when ({{ variance }}) > 0 and ({{ mean }}) > 0 then gamma_quantile(
            {{ uniform }},
            power({{ mean }}, 2) / ({{ variance }}),
            ({{ mean }}) / ({{ variance }})
        )
        else {{ mean }}
    end
{%- endmacro %}


{#- A bound of the Jeffreys interval of a share count / total: the Beta(count + 1/2,
    total - count + 1/2) quantile, with the usual adjustment at the ends (lower bound 0 when
    the count is 0, upper bound 1 when it is the total). Null without a total. -#}
{% macro share_bound(bound, count, total) -%}
    {%- set at_end = '0' if bound == 'lower' else '(' ~ total ~ ')' -%}
    case
        when ({{ total }}) > 0 and ({{ count }}) = {{ at_end }}
            then {{ '0.0' if bound == 'lower' else '1.0' }}
        when ({{ total }}) > 0
            then beta_quantile(
                {{ interval_tail(bound) }},
                ({{ count }}) + 0.5,
                ({{ total }}) - ({{ count }}) + 0.5
            )
    end
{%- endmacro %}
