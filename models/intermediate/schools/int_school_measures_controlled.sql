-- One row per open school with pupils: its measures as fct_school_exposure publishes them,
-- disclosure-controlled, with what the rank simulation needs beside them (the variances).
--
-- Order of work: the fractional counts (offenders shared out by catchment weights, modelled
-- pupils) are rounded to whole persons; measures the data cannot support
-- (int_measure_availability) become null; rates are rounded to a fixed precision, so that
-- the last bits of a floating-point sum cannot reorder schools on a rebuild; then the
-- disclosure control of fct_school_exposure (its config.meta.disclosure, macro
-- disclosure_control) is applied here, so that the ranking (int_school_priority_ranks)
-- reads published values only and no rank can reveal a suppressed count.
with

measures as (
    select * from {{ ref('int_school_measures_exact') }}
),

measure_availability as (
    select * from {{ ref('int_measure_availability') }}
),

availability as (
    -- One row: whether the measures that can be unavailable are (a measure not listed is).
    select
        coalesce(
            bool_or(is_available) filter (
                where measure = 'school_aged_violent_offenders_per_1000_pupils'
            ),
            true
        ) as is_school_aged_violent_offenders_available,
        coalesce(
            bool_or(is_available) filter (where measure = 'near_school_commute_violence'),
            true
        ) as is_near_school_commute_violence_available
    from measure_availability
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
            when availability.is_school_aged_violent_offenders_available
                then round(measures.school_aged_violent_offenders)
        end as school_aged_violent_offenders,
        case
            when availability.is_near_school_commute_violence_available
                then measures.near_school_commute_violence
        end as near_school_commute_violence,
        availability.is_school_aged_violent_offenders_available,
        availability.is_near_school_commute_violence_available
    from measures
    cross join availability
),

controlled as (
    {{ disclosure_control('counted', model_name='fct_school_exposure', derived={
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

final as (
    select
        *,
        100 * exposure_violence_rate / force_violent_rate_per_1000_per_year
            as exposure_index,
        100 * exposure_violence_rate_lower / force_violent_rate_per_1000_per_year
            as exposure_index_lower,
        100 * exposure_violence_rate_upper / force_violent_rate_per_1000_per_year
            as exposure_index_upper
    from controlled
)

select * from final
