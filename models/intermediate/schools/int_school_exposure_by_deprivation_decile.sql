-- One row per IMD decile (1 to 10 always; `unknown` when a school's LSOA has no decile): the
-- ranked schools whose own LSOA is in it, and the pupil-weighted mean of their published
-- exposure_index (100 = the force-wide rate). Whether the schools the list points at are
-- simply the schools of deprived areas: fct_bias_checks publishes it. The mean is null for a
-- decile with fewer than var disclosure_min_count schools, so that no one school's figure
-- can be read off a public table.
with

school_measures as (
    select * from {{ ref('int_school_measures_controlled') }}
),

school_rolls as (
    select * from {{ ref('int_school_rolls') }}
),

deprivation as (
    select * from {{ ref('stg_mhclg__deprivation') }}
),

school_deciles as (
    select
        school_measures.urn,
        school_measures.pupils_on_roll,
        school_measures.exposure_index,
        coalesce(cast(deprivation.imd_decile as varchar), 'unknown') as imd_decile
    from school_measures
    inner join school_rolls
        on school_measures.urn = school_rolls.urn
    left join deprivation
        on school_rolls.lsoa_code = deprivation.lsoa_code
),

-- Every decile, so that one without schools shows with none.
decile_list as (
    select cast(deciles.decile as varchar) as imd_decile
    from range(1, 11) as deciles (decile)
    union
    select imd_decile from school_deciles
),

final as (
    select
        decile_list.imd_decile,
        count(school_deciles.urn) as ranked_schools,
        case
            when count(school_deciles.urn) >= {{ var('disclosure_min_count') }}
                then round(
                    {{ exact_sum('school_deciles.pupils_on_roll * school_deciles.exposure_index') }}
                    / nullif(
                        sum(school_deciles.pupils_on_roll)
                        filter (where school_deciles.exposure_index is not null),
                        0
                    ),
                    4
                )
        end as mean_exposure_index
    from decile_list
    left join school_deciles
        on decile_list.imd_decile = school_deciles.imd_decile
    group by decile_list.imd_decile
)

select * from final
