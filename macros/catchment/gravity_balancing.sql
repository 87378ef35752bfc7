{#- Doubly constrained gravity flows, balanced by iterative proportional fitting (the
    Furness method), as a chain of CTEs ending in `<prefix>_flows`.

    flow(l, s) = origin(l) * pupils(s) * exp(-beta * distance(l, s)) * a(l) * b(s)

    Each round sets b so that every school's flows add up to its pupils, then a so that every
    LSOA's flows add up to its (scaled) children. The chain ends on a b step, so school totals
    are met exactly and LSOA totals to the convergence reached after `iterations` rounds.

    `inputs`: a relation or CTE with segment, urn, lsoa_code, origin_id (one per segment and
    LSOA), destination_id (one per segment and school), distance_km, origin_children and
    pupils (int_catchment_gravity_inputs). `betas`: one with segment, beta_per_km. The CTEs are
    materialised: each round reads the one before, and inlining them would repeat the work. -#}
{% macro gravity_balancing_ctes(prefix, inputs, betas, iterations) -%}
{{ prefix }}_deterred as materialized (
    select
        inputs.segment,
        inputs.urn,
        inputs.lsoa_code,
        inputs.origin_id,
        inputs.destination_id,
        inputs.distance_km,
        inputs.origin_children,
        inputs.pupils,
        exp(-betas.beta_per_km * inputs.distance_km) as deterrence
    from {{ inputs }} as inputs
    inner join {{ betas }} as betas
        on inputs.segment = betas.segment
),

{{ prefix }}_a0 as materialized (
    select distinct
        origin_id,
        1.0 as a
    from {{ prefix }}_deterred
),
{%- for round in range(1, iterations + 1) %}

{{ prefix }}_b{{ round }} as materialized (
    select
        deterred.destination_id,
        1.0 / sum(factor.a * deterred.origin_children * deterred.deterrence) as b
    from {{ prefix }}_deterred as deterred
    inner join {{ prefix }}_a{{ round - 1 }} as factor
        on deterred.origin_id = factor.origin_id
    group by deterred.destination_id
),
{%- if round < iterations %}

{{ prefix }}_a{{ round }} as materialized (
    select
        deterred.origin_id,
        1.0 / sum(factor.b * deterred.pupils * deterred.deterrence) as a
    from {{ prefix }}_deterred as deterred
    inner join {{ prefix }}_b{{ round }} as factor
        on deterred.destination_id = factor.destination_id
    group by deterred.origin_id
),
{%- endif %}
{%- endfor %}

{{ prefix }}_flows as (
    select
        deterred.segment,
        deterred.urn,
        deterred.lsoa_code,
        deterred.distance_km,
        deterred.origin_children * deterred.pupils * deterred.deterrence
        * origin_factor.a * school_factor.b as expected_pupils
    from {{ prefix }}_deterred as deterred
    inner join {{ prefix }}_a{{ iterations - 1 }} as origin_factor
        on deterred.origin_id = origin_factor.origin_id
    inner join {{ prefix }}_b{{ iterations }} as school_factor
        on deterred.destination_id = school_factor.destination_id
)
{%- endmacro %}
