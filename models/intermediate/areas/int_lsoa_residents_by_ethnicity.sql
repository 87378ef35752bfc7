-- One row per LSOA and ethnic group of lsoa_ethnicity.csv (none without it): the residents
-- of the ages at which a suspect counts as school-aged (vars school_age_min_offender to
-- school_age_max, 10 to 17 by default), each band contributing in proportion to the years
-- it shares with those ages (a band of 16-19 gives half: the file's bands need not match).
-- An LSOA that the file gives for all ages only counts all its residents (is_all_ages): the
-- bias check then compares with residents of every age, and says so.
{%- set youngest = var('school_age_min_offender') %}
{%- set oldest = var('school_age_max') %}
with

ethnicity as (
    select * from {{ ref('stg_ons__lsoa_ethnicity') }}
),

lsoa_forms as (
    select
        lsoa_code,
        bool_or(not is_all_ages) as has_age_bands
    from ethnicity
    group by lsoa_code
),

counted_rows as (
    select
        ethnicity.lsoa_code,
        ethnicity.ethnic_group,
        lsoa_forms.has_age_bands,
        case
            when lsoa_forms.has_age_bands
                then
                    ethnicity.population
                    * greatest(
                        least(ethnicity.age_max, {{ oldest }})
                        - greatest(ethnicity.age_min, {{ youngest }}) + 1,
                        0
                    )
                    / (ethnicity.age_max - ethnicity.age_min + 1)
            else ethnicity.population
        end as school_aged_residents
    from ethnicity
    inner join lsoa_forms
        on ethnicity.lsoa_code = lsoa_forms.lsoa_code
    -- An LSOA with bands: only its banded rows (an all-ages row beside them is their total).
    where lsoa_forms.has_age_bands = not ethnicity.is_all_ages
),

final as (
    select
        -- ids
        lsoa_code,
        ethnic_group,

        -- attributes
        not any_value(has_age_bands) as is_all_ages,

        -- measures
        {{ exact_sum('school_aged_residents') }} as school_aged_residents
    from counted_rows
    group by lsoa_code, ethnic_group
)

select * from final
