-- One row per open school: the counted violent offences involving a school-aged person
-- (is_youth_involved, int_violent_offences_youth_involved) within var near_school_radius_m
-- of the school, on a school day (int_school_days), at a time of day inside one of var
-- commute_windows. The time is that of committed_from, the extract's local time: an
-- offence recorded as a span is placed at its start, and one with an unknown time, often
-- recorded at midnight, falls outside every window. Offences without a location cannot be
-- placed near anything and are left out. An offence near two schools counts for both: the
-- measure describes each school's surroundings, not a share of the force's offences, so the
-- schools' counts do not add up to a force-wide total.
{%- set commute_windows = var('commute_windows') %}
{%- if not commute_windows %}
    {{ exceptions.raise_compiler_error(
        'var commute_windows is empty: at least one {start, end} window is needed'
    ) }}
{%- endif %}
with

schools as (
    select * from {{ ref('int_school_rolls') }}
),

offences as (
    select * from {{ ref('int_violent_offences_counted') }}
    where geom is not null
),

youth_involved as (
    select * from {{ ref('int_violent_offences_youth_involved') }}
    where is_youth_involved
),

school_days as (
    select * from {{ ref('int_school_days') }}
    where is_school_day
),

commute_offences as (
    -- Day and time first, so the spatial join only sees the offences that can count.
    -- Both ends of a window are included (09:30:00 is in, 09:30:01 out).
    select
        offences.crime_ref,
        offences.geom
    from offences
    inner join youth_involved
        on offences.crime_ref = youth_involved.crime_ref
    inner join school_days
        on cast(offences.committed_from_at as date) = school_days.calendar_date
    where (
        {%- for span in commute_windows %}
            {{ 'or ' if not loop.first }}cast(offences.committed_from_at as time)
            between time '{{ span["start"] }}' and time '{{ span["end"] }}'
        {%- endfor %}
    )
),

near_school_offences as (
    -- st_dwithin includes the radius itself: an offence exactly at it counts.
    select
        schools.urn,
        count(*) as near_school_commute_violence
    from schools
    inner join commute_offences
        on st_dwithin(
            schools.geom, commute_offences.geom, {{ var('near_school_radius_m') }}
        )
    group by schools.urn
),

final as (
    select
        -- ids
        schools.urn,

        -- measures
        cast(
            coalesce(near_school_offences.near_school_commute_violence, 0) as integer
        ) as near_school_commute_violence
    from schools
    left join near_school_offences
        on schools.urn = near_school_offences.urn
)

select * from final
