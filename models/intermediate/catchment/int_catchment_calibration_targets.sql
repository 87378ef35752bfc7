-- One row per catchment segment: the four figures the gravity model is calibrated to
-- (int_catchment_gravity_calibration fits them): the mean home-school distance, the mean log
-- distance (how concentrated journeys are near home), the share of pupils at a school in
-- another local authority and the share at their LSOA's nearest school.
--
-- Where pupil_residence.csv observes at least var calibration_min_observed_schools schools
-- of the segment (schools of one segment only, so that their pupils are all of its ages), the
-- targets are those schools' own figures, over the candidate pairs: the model then learns the
-- area's own distance profile and boundary effect. They come from the observed flows with
-- their suppressed cells imputed from the roll (int_catchment_flows_observed): most cells of
-- a school census extract are suppressed, and counting each as the middle of 1-4 (2.5) put
-- far too many pupils in the many far LSOAs that send one, a mean distance 20-40% too long
-- on the synthetic worlds. Otherwise, and with var
-- calibrate_to_observed_catchments false, the public figures in vars mean_distance_km,
-- mean_log_distance, cross_authority_share and nearest_school_share (the National Travel
-- Survey, the DfE, studies of the National Pupil Database); a null var leaves that figure
-- out of the fit.
{%- set min_schools = var('calibration_min_observed_schools') %}
with

inputs as (
    select * from {{ ref('int_catchment_gravity_inputs') }}
),

residence as (
    select * from {{ ref('int_catchment_flows_observed') }}
),

segments as (
    select * from {{ ref('catchment_segments') }}
),

single_segment_schools as (
    select urn
    from inputs
    group by urn
    having count(distinct segment) = 1
),

observed as (
    select
        inputs.segment,
        inputs.urn,
        inputs.distance_km,
        inputs.is_cross_authority,
        inputs.is_nearest_school,
        residence.expected_pupils as pupils
    from residence
    inner join inputs
        on residence.urn = inputs.urn and residence.lsoa_code = inputs.lsoa_code
    inner join single_segment_schools
        on residence.urn = single_segment_schools.urn
),

observed_targets as (
    select
        segment,
        count(distinct urn) as observed_schools,
        {{ exact_sum('pupils * distance_km') }} / {{ exact_sum('pupils') }} as mean_distance_km,
        {{ exact_sum('pupils * ln(distance_km)') }} / {{ exact_sum('pupils') }}
            as mean_log_distance,
        coalesce({{ exact_sum('pupils', where='is_cross_authority') }}, 0)
        / {{ exact_sum('pupils') }} as cross_authority_share,
        coalesce({{ exact_sum('pupils', where='is_nearest_school') }}, 0)
        / {{ exact_sum('pupils') }} as nearest_school_share
    from observed
    group by segment
),

public_targets as (
    select
        segment,
        case distance_phase
            {%- for phase, km in var('mean_distance_km').items() %}
                when '{{ phase }}' then {{ km }}
            {%- endfor %}
        end as mean_distance_km,
        case distance_phase
            {%- for phase, value in var('mean_log_distance').items() %}
                when '{{ phase }}' then {{ value }}
            {%- endfor %}
        end as mean_log_distance,
        case distance_phase
            {%- for phase, share in var('cross_authority_share').items() %}
                when '{{ phase }}' then {{ 'null' if share is none else share }}
            {%- endfor %}
        end as cross_authority_share,
        case distance_phase
            {%- for phase, share in var('nearest_school_share').items() %}
                when '{{ phase }}' then {{ 'null' if share is none else share }}
            {%- endfor %}
        end as nearest_school_share
    from segments
    where segment in (select distinct inputs.segment from inputs)
),

final as (
    select
        public_targets.segment,
        {%- if var('calibrate_to_observed_catchments') %}
            coalesce(observed_targets.observed_schools >= {{ min_schools }}, false)
                as is_observed,
        {%- else %}
        false as is_observed,
        {%- endif %}
        coalesce(observed_targets.observed_schools, 0) as observed_schools,
        public_targets.mean_distance_km as public_mean_distance_km,
        public_targets.mean_log_distance as public_mean_log_distance,
        public_targets.cross_authority_share as public_cross_authority_share,
        public_targets.nearest_school_share as public_nearest_school_share,
        observed_targets.mean_distance_km as observed_mean_distance_km,
        observed_targets.mean_log_distance as observed_mean_log_distance,
        observed_targets.cross_authority_share as observed_cross_authority_share,
        observed_targets.nearest_school_share as observed_nearest_school_share
    from public_targets
    left join observed_targets
        on public_targets.segment = observed_targets.segment
)

select
    segment,
    case when is_observed then 'pupil_residence' else 'public_statistics' end
        as target_source,
    observed_schools,
    case when is_observed then observed_mean_distance_km else public_mean_distance_km end
        as target_mean_distance_km,
    case when is_observed then observed_mean_log_distance else public_mean_log_distance end
        as target_mean_log_distance,
    case
        when is_observed then observed_cross_authority_share
        else public_cross_authority_share
    end as target_cross_authority_share,
    case
        when is_observed then observed_nearest_school_share
        else public_nearest_school_share
    end as target_nearest_school_share
from final
