-- One row per open school with pupils: its exposure measures, disclosure-controlled
-- (int_school_measures_controlled, by this model's config.meta.disclosure), and its
-- priority score and rank with an interval (int_school_priority_ranks, from those published
-- values only), under the published names, in URN order.
with

controlled as (
    select * from {{ ref('int_school_measures_controlled') }}
),

ranks as (
    select * from {{ ref('int_school_priority_ranks') }}
),

weights as (
    select * from {{ ref('int_priority_measure_weights') }}
),

priority_measures as (
    -- The measures this build's score uses, in var priority_weights order.
    select
        coalesce(
            string_agg(measure, ', ' order by measure_order) filter (
                where priority_weight_used > 0
            ),
            ''
        ) as measures_used
    from weights
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
        controlled.exposure_index,
        controlled.exposure_index_lower,
        controlled.exposure_index_upper,
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
        priority_measures.measures_used as priority_measures,
        ranks.priority_score,
        ranks.priority_rank,
        ranks.priority_rank_lower,
        ranks.priority_rank_upper,
        controlled.on_vru_list,
        ranks.is_new_candidate
    from controlled
    inner join ranks
        on controlled.urn = ranks.urn
    cross join priority_measures
)

select * from final
order by urn
