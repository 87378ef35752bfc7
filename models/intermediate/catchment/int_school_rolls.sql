-- One row per open school: the pupils its catchment is built for, and how its pupils are
-- drawn (seed establishment_catchment_kinds). GIAS leaves some rolls empty (or zero, for new
-- and some independent schools): such a school takes the total of its pupil_residence.csv
-- rows when it has them, else its SchoolCapacity (where the file gives one) times the median
-- share of capacity that schools with both fill (the whole capacity when none has both),
-- else the median roll of open schools of its phase, so it keeps a catchment instead of
-- silently dropping out. roll_source says which.
with

schools as (
    select * from {{ ref('stg_gias__schools') }}
    where is_open
),

kinds as (
    select * from {{ ref('establishment_catchment_kinds') }}
),

lsoas as (
    select * from {{ ref('int_lsoa_centroids') }}
),

residence as (
    select * from {{ ref('stg_dfe__pupil_residence') }}
),

observed_totals as (
    -- A suppressed cell counts as the middle of its possible values (1 to the maximum).
    select
        urn,
        sum(coalesce(pupils, (1 + {{ var('suppressed_pupils_max') }}) / 2)) as pupils
    from residence
    group by urn
),

phase_medians as (
    select
        phase,
        median(pupils_on_roll) as median_pupils_on_roll
    from schools
    where pupils_on_roll > 0
    group by phase
),

capacity_fill as (
    select coalesce(median(pupils_on_roll / school_capacity), 1) as share_filled
    from schools
    where pupils_on_roll > 0 and school_capacity > 0
),

overall_median as (
    select median(pupils_on_roll) as median_pupils_on_roll
    from schools
    where pupils_on_roll > 0
),

final as (
    select
        -- ids
        schools.urn,
        schools.lsoa_code,
        lsoas.lad_code,

        -- attributes
        schools.phase,
        schools.establishment_type,
        -- Types the seed does not know are taken to recruit locally, like most schools.
        coalesce(kinds.catchment_kind, 'local') as catchment_kind,
        schools.low_age,
        schools.high_age,
        case
            when schools.pupils_on_roll > 0 then 'gias'
            when observed_totals.pupils > 0 then 'pupil_residence'
            when schools.school_capacity > 0 then 'capacity'
            when phase_medians.median_pupils_on_roll is not null then 'phase_median'
            else 'overall_median'
        end as roll_source,

        -- measures
        schools.pupils_on_roll as gias_pupils_on_roll,
        case
            when schools.pupils_on_roll > 0 then schools.pupils_on_roll
            when observed_totals.pupils > 0 then round(observed_totals.pupils)
            when schools.school_capacity > 0
                then greatest(round(schools.school_capacity * capacity_fill.share_filled), 1)
            else round(coalesce(
                phase_medians.median_pupils_on_roll, overall_median.median_pupils_on_roll
            ))
        end as pupils_on_roll,

        -- geometry
        schools.geom
    from schools
    cross join overall_median
    cross join capacity_fill
    left join kinds
        on schools.establishment_type = kinds.establishment_type
    left join phase_medians
        on schools.phase = phase_medians.phase
    left join lsoas
        on schools.lsoa_code = lsoas.lsoa_code
    left join observed_totals
        on schools.urn = observed_totals.urn
)

select * from final
