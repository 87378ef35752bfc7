-- One row per open school with rows in pupil_residence.csv and LSOA: where the school census
-- says its pupils live. A suppressed cell (c, x, <5, *) is a count from 1 to var
-- suppressed_pupils_max: it is given the school's unaccounted pupils (roll minus published
-- cells) shared equally among its suppressed cells, kept within that range; without a GIAS
-- roll to compare with, the middle of the range. The census and GIAS are taken on different
-- days, so the counts are then scaled to the school's roll (int_school_rolls), which lets
-- every method speak of the same pupils. Rows for LSOAs outside the study area (pupils living
-- beyond the force area, whose violence is not known here) are left out before that scaling:
-- the school's exposure is then that of its pupils living inside the area. Rows for a URN that
-- is not an open school in GIAS stay in staging and have no catchment here (a warning test
-- on stg_dfe__pupil_residence.urn lists URNs unknown to GIAS).
{%- set max_pupils = var('suppressed_pupils_max') %}
with

residence as (
    select * from {{ ref('stg_dfe__pupil_residence') }}
),

schools as (
    select * from {{ ref('int_school_rolls') }}
),

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

per_school as (
    select
        urn,
        coalesce({{ exact_sum('pupils') }}, 0) as published_pupils,
        count(*) filter (where is_suppressed) as suppressed_cells
    from residence
    group by urn
),

imputed as (
    select
        residence.urn,
        residence.lsoa_code,
        residence.is_suppressed,
        case
            when not residence.is_suppressed then residence.pupils
            when schools.roll_source = 'gias'
                then least(greatest(
                    (schools.pupils_on_roll - per_school.published_pupils)
                    / per_school.suppressed_cells,
                    1
                ), {{ max_pupils }})
            else (1 + {{ max_pupils }}) / 2
        end as pupils,
        schools.pupils_on_roll
    from residence
    inner join schools
        on residence.urn = schools.urn
    inner join per_school
        on residence.urn = per_school.urn
),

kept as (
    select * from imputed
    where
        pupils > 0
        and lsoa_code in (select lsoas.lsoa_code from lsoas)
),

school_totals as (
    -- Grouped and joined back, not a window: an exact window sum is ten times slower.
    select
        urn,
        {{ exact_sum('pupils') }} as pupils
    from kept
    group by urn
),

final as (
    select
        kept.urn,
        kept.lsoa_code,
        kept.is_suppressed,
        kept.pupils as census_pupils,
        kept.pupils_on_roll * kept.pupils / school_totals.pupils as expected_pupils
    from kept
    inner join school_totals
        on kept.urn = school_totals.urn
)

select * from final
