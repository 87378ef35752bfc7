-- One row per open school and catchment segment it teaches: its pupils of those ages.
-- A school's roll is shared among the segments its age range overlaps in proportion to the
-- years of age in each (GIAS gives no roll by age). The age range is StatutoryLowAge up to,
-- not including, StatutoryHighAge: a 4-11 primary teaches ages 4 to 10 at the start of the
-- school year. Schools of kind 'none' and schools teaching no age of any segment have no
-- catchment (they stay in int_school_rolls).
with

schools as (
    select * from {{ ref('int_school_rolls') }}
    where catchment_kind != 'none'
),

segments as (
    select * from {{ ref('catchment_segments') }}
),

segment_overlaps as (
    select
        schools.urn,
        segments.segment,
        segments.distance_phase,
        schools.catchment_kind,
        schools.pupils_on_roll,
        least(schools.high_age - 1, segments.max_age)
        - greatest(schools.low_age, segments.min_age) + 1 as years_taught
    from schools
    inner join segments
        on
            schools.low_age <= segments.max_age
            and schools.high_age - 1 >= segments.min_age
),

final as (
    select
        urn,
        segment,
        distance_phase,
        catchment_kind,
        years_taught,
        pupils_on_roll * years_taught / sum(years_taught) over (partition by urn) as pupils
    from segment_overlaps
)

select * from final
