{#- Doubly constrained gravity flows, balanced by iterative proportional fitting (the
    Furness method), as a chain of CTEs ending in `<prefix>_flows`.

    flow(l, s) = origin(l) * pupils(s) * exp(-beta * distance(l, s)) * a(l) * b(s)

    Each round sets b so that every school's flows add up to its pupils, then a so that every
    LSOA's flows add up to its (scaled) children. The chain ends on a b step, so school totals
    are met exactly and LSOA totals to the convergence reached after `iterations` rounds.

    `inputs`: a relation (not a materialised CTE: every round scans it) with segment, urn,
    lsoa_code, origin_id (one per segment and LSOA), destination_id (one per segment and
    school), distance_km, origin_children and pupils (int_catchment_gravity_inputs).
    `betas`: a small relation or CTE with segment, beta_per_km. What the rounds scan is
    materialised once, slimmed to four numbers per pair (32 bytes: 0.5 GB for the 15.5 million
    pairs of a national-size geography), and between rounds only the factors, one number per LSOA or school. -#}
{% macro gravity_balancing_ctes(prefix, inputs, betas, iterations) -%}
{%- set deterrence -%}
    exp(-{{ prefix }}_beta.beta_per_km * inputs.distance_km)
{%- endset -%}
{{ prefix }}_beta as materialized (
    select
        segment,
        beta_per_km
    from {{ betas }}
),

{{ prefix }}_weighted as materialized (
    select
        inputs.origin_id,
        inputs.destination_id,
        inputs.origin_children * {{ deterrence }} as origin_weight,
        inputs.pupils * {{ deterrence }} as pupil_weight
    from {{ inputs }} as inputs
    inner join {{ prefix }}_beta
        on inputs.segment = {{ prefix }}_beta.segment
),

{{ prefix }}_a0 as materialized (
    select distinct
        origin_id,
        1.0 as a
    from {{ prefix }}_weighted
),
{%- for round in range(1, iterations + 1) %}

{{ prefix }}_b{{ round }} as materialized (
    select
        weighted.destination_id,
        1.0 / sum(factor.a * weighted.origin_weight) as b
    from {{ prefix }}_weighted as weighted
    inner join {{ prefix }}_a{{ round - 1 }} as factor
        on weighted.origin_id = factor.origin_id
    group by weighted.destination_id
),
{%- if round < iterations %}

{{ prefix }}_a{{ round }} as materialized (
    select
        weighted.origin_id,
        1.0 / sum(factor.b * weighted.pupil_weight) as a
    from {{ prefix }}_weighted as weighted
    inner join {{ prefix }}_b{{ round }} as factor
        on weighted.destination_id = factor.destination_id
    group by weighted.origin_id
),
{%- endif %}
{%- endfor %}

{{ prefix }}_flows as (
    select
        inputs.segment,
        inputs.urn,
        inputs.lsoa_code,
        inputs.distance_km,
        inputs.origin_children * inputs.pupils * {{ deterrence }}
        * origin_factor.a * school_factor.b as expected_pupils
    from {{ inputs }} as inputs
    inner join {{ prefix }}_beta
        on inputs.segment = {{ prefix }}_beta.segment
    inner join {{ prefix }}_a{{ iterations - 1 }} as origin_factor
        on inputs.origin_id = origin_factor.origin_id
    inner join {{ prefix }}_b{{ iterations }} as school_factor
        on inputs.destination_id = school_factor.destination_id
)
{%- endmacro %}
