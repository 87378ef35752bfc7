-- One row per bias check and group.
-- Area checks: counted violent offences, and those that came to light through proactive
-- policing (proactive_flag), by the deprivation decile of the LSOA they were placed in and by
-- local authority, with the residents and the rate per 1,000 a year. Recorded violence
-- reflects reporting and policing as well as violence: where proactive policing finds much of
-- it, a high rate may say as much about where police look. Every decile 1 to 10 has a row,
-- whether or not the force area has LSOAs in it.
-- Person checks: the school-aged suspects and offenders of counted violent offences (each
-- person once, int_school_aged_violent_offenders) by sex and by ethnic group, with the share
-- and its interval; for ethnic group, against the residents aged 10-17 of the force area and
-- of the suspects' own home areas (lsoa_ethnicity.csv, Census 2021, when given). The home-area
-- share asks whether suspects differ from the children of the places they live, which the
-- force-wide share mixes with where violence is recorded.
-- The exposure check (int_school_exposure_by_deprivation_decile): the ranked schools by the
-- deprivation decile of their own LSOA, and their pupil-weighted mean exposure_index.
-- The priority-list check: how many of the top var priority_top_n schools stay in the top
-- when offences found by proactive policing are left out of the area measures
-- (int_school_priority_without_proactive), and the rank correlation of the two lists: a
-- list that rests on where police look would change. Counts of schools, never of people,
-- and no school named.
-- Counts go through disclosure control (config.meta.disclosure); rates, shares and ratios are
-- then computed from the published, rounded counts.
{%- set derived = {
    'violent_rate_per_1000_per_year':
        'round(violent_offences / nullif(resident_thousand_years, 0), 6)',
    'proactive_share':
        'round(proactive_violent_offences / nullif(violent_offences, 0), 6)',
    'suspect_share':
        'round(least(suspects_of_school_age, share_denominator) / share_denominator, 6)',
    'suspect_share_lower': 'round(' ~ share_bound(
        'lower', 'least(suspects_of_school_age, share_denominator)', 'share_denominator') ~ ', 6)',
    'suspect_share_upper': 'round(' ~ share_bound(
        'upper', 'least(suspects_of_school_age, share_denominator)', 'share_denominator') ~ ', 6)',
} %}
{%- set ethnic_groups = ['White', 'Asian', 'Black', 'Mixed', 'Other'] %}
with

offences as (
    select * from {{ ref('int_violent_offences_counted') }}
    where lsoa_code is not null
),

deprivation as (
    select * from {{ ref('stg_mhclg__deprivation') }}
),

lookup as (
    select * from {{ ref('stg_ons__lsoa_lookup') }}
),

residents as (
    select * from {{ ref('int_lsoa_residents') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

suspects as (
    select * from {{ ref('int_school_aged_violent_offenders') }}
),

resident_ethnicity as (
    select * from {{ ref('int_lsoa_residents_by_ethnicity') }}
),

measure_availability as (
    select * from {{ ref('int_measure_availability') }}
),

ranks_without_proactive as (
    select * from {{ ref('int_school_priority_without_proactive') }}
),

exposure_by_decile as (
    select * from {{ ref('int_school_exposure_by_deprivation_decile') }}
),

lsoa_groups as (
    select
        residents.lsoa_code,
        residents.residents,
        coalesce(cast(deprivation.imd_decile as varchar), 'unknown') as imd_decile,
        coalesce(lookup.lad_code, 'unknown') as lad_code,
        lookup.lad_name
    from residents
    left join deprivation
        on residents.lsoa_code = deprivation.lsoa_code
    left join lookup
        on residents.lsoa_code = lookup.lsoa_code
),

offences_by_lsoa as (
    select
        lsoa_code,
        count(*) as violent_offences,
        count(*) filter (where is_proactive) as proactive_violent_offences
    from offences
    group by lsoa_code
),

availability as (
    -- Without a proactive flag (police.uk publishes none) the proactive count is unknown.
    select coalesce(bool_or(is_proactive is not null), false) as is_proactive_flag_available
    from offences
),

lsoa_counts as (
    select
        lsoa_groups.*,
        coalesce(offences_by_lsoa.violent_offences, 0) as violent_offences,
        coalesce(offences_by_lsoa.proactive_violent_offences, 0)
            as proactive_violent_offences
    from lsoa_groups
    left join offences_by_lsoa
        on lsoa_groups.lsoa_code = offences_by_lsoa.lsoa_code
),

deciles as (
    -- Every decile, so that one without LSOAs in the force area shows with none.
    select cast(deciles.decile as varchar) as imd_decile
    from range(1, 11) as deciles (decile)
    union all
    select distinct lsoa_counts.imd_decile
    from lsoa_counts
    where lsoa_counts.imd_decile = 'unknown'
),

by_decile as (
    select
        'violence_by_deprivation_decile' as check_name,
        deciles.imd_decile as breakdown,
        {{ imd_decile_name('deciles.imd_decile') }} as breakdown_name,
        coalesce(sum(lsoa_counts.violent_offences), 0) as violent_offences,
        coalesce(sum(lsoa_counts.proactive_violent_offences), 0) as proactive_violent_offences,
        coalesce(sum(lsoa_counts.residents), 0) as residents
    from deciles
    left join lsoa_counts
        on deciles.imd_decile = lsoa_counts.imd_decile
    group by deciles.imd_decile
),

by_authority as (
    select
        'violence_by_local_authority' as check_name,
        lad_code as breakdown,
        any_value(lad_name) as breakdown_name,
        sum(violent_offences) as violent_offences,
        sum(proactive_violent_offences) as proactive_violent_offences,
        sum(residents) as residents
    from lsoa_counts
    group by lad_code
),

suspect_availability as (
    -- Without person rows (open data) or dates of birth, no one is known to be school-aged.
    select is_available as is_suspect_data_available
    from measure_availability
    where measure = 'school_aged_violent_offenders_per_1000_pupils'
),

suspect_groups as (
    select
        person_id,
        home_lsoa_code,
        coalesce(sex, 'U') as sex,
        coalesce(ethnicity, 'not_recorded') as ethnic_group
    from suspects
),

lsoa_school_aged_residents as (
    select
        lsoa_code,
        {{ exact_sum('school_aged_residents') }} as school_aged_residents
    from resident_ethnicity
    group by lsoa_code
),

lsoa_ethnic_shares as (
    select
        resident_ethnicity.lsoa_code,
        resident_ethnicity.ethnic_group,
        resident_ethnicity.is_all_ages,
        resident_ethnicity.school_aged_residents
        / nullif(lsoa_school_aged_residents.school_aged_residents, 0) as lsoa_share
    from resident_ethnicity
    inner join lsoa_school_aged_residents
        on resident_ethnicity.lsoa_code = lsoa_school_aged_residents.lsoa_code
),

census_availability as (
    select
        count(*) > 0 as is_census_ethnicity_available,
        coalesce(bool_or(is_all_ages), false) as is_census_all_ages
    from resident_ethnicity
),

force_school_aged_residents as (
    select {{ exact_sum('school_aged_residents') }} as school_aged_residents
    from resident_ethnicity
),

force_ethnic_shares as (
    select
        resident_ethnicity.ethnic_group,
        {{ exact_sum('resident_ethnicity.school_aged_residents') }}
        / nullif(any_value(force_school_aged_residents.school_aged_residents), 0)
            as resident_share
    from resident_ethnicity
    cross join force_school_aged_residents
    group by resident_ethnicity.ethnic_group
),

home_area_shares as (
    -- The share the suspects would have if each were like the children of their home LSOA:
    -- the mean, over suspects with a recorded group and a home in the census file, of their
    -- home LSOA's share.
    select
        lsoa_ethnic_shares.ethnic_group,
        {{ exact_sum('lsoa_ethnic_shares.lsoa_share') }}
        / count(distinct suspect_groups.person_id) as resident_share_of_home_areas
    from suspect_groups
    inner join lsoa_ethnic_shares
        on suspect_groups.home_lsoa_code = lsoa_ethnic_shares.lsoa_code
    where suspect_groups.ethnic_group != 'not_recorded'
    group by lsoa_ethnic_shares.ethnic_group
),

person_breakdowns as (
    select
        'school_aged_suspects_by_sex' as check_name,
        sexes.sex as breakdown,
        sexes.breakdown_name
    from (
        values
        ('M', 'Male'),
        ('F', 'Female'),
        ('U', 'Unknown or not recorded'),
        ('all', 'All school-aged suspects and offenders')
    ) as sexes (sex, breakdown_name)
    union all
    select
        'school_aged_suspects_by_ethnicity' as check_name,
        ethnic_groups.ethnic_group as breakdown,
        ethnic_groups.breakdown_name
    from (
        values
        {%- for group in ethnic_groups %}
            ('{{ group }}', '{{ group }}'),
        {%- endfor %}
        ('not_recorded', 'Not recorded'),
        ('all', 'All school-aged suspects and offenders')
    ) as ethnic_groups (ethnic_group, breakdown_name)
),

person_counts as (
    -- Each suspect in their group and in the `all` row, of both checks.
    {%- for check, column in [('sex', 'sex'), ('ethnicity', 'ethnic_group')] %}
        {%- for breakdown in [column, "'all'"] %}
            select
                'school_aged_suspects_by_{{ check }}' as check_name,
                {{ breakdown }} as breakdown,
                person_id
            from suspect_groups
            {{- '\n\n        union all\n' if not loop.last }}
        {%- endfor %}
        {{- '\n\n    union all\n' if not loop.last }}
    {%- endfor %}
),

by_person_group as (
    select
        person_breakdowns.check_name,
        person_breakdowns.breakdown,
        person_breakdowns.breakdown_name,
        count(person_counts.person_id) as suspects_of_school_age
    from person_breakdowns
    left join person_counts
        on
            person_breakdowns.check_name = person_counts.check_name
            and person_breakdowns.breakdown = person_counts.breakdown
    group by
        person_breakdowns.check_name, person_breakdowns.breakdown, person_breakdowns.breakdown_name
),

priority_list_check as (
    select
        'priority_list_without_proactive' as check_name,
        'top_{{ var('priority_top_n') }}' as breakdown,
        'The top {{ var('priority_top_n') }} schools of the priority list' as breakdown_name,
        count(*) filter (
            where priority_rank_all_offences <= {{ var('priority_top_n') }}
        ) as top_schools,
        count(*) filter (
            where greatest(
                priority_rank_all_offences, priority_rank_without_proactive
            ) <= {{ var('priority_top_n') }}
        ) as top_schools_kept_without_proactive,
        round(corr(priority_rank_all_offences, priority_rank_without_proactive), 4)
            as rank_correlation_without_proactive
    from ranks_without_proactive
),

area_checks as (
    select * from by_decile
    union all
    select * from by_authority
),

checks as (
    -- Each kind of check brings only its own figures; by name, the others are null.
    select
        area_checks.check_name,
        area_checks.breakdown,
        area_checks.breakdown_name,
        cast(area_checks.violent_offences as bigint) as violent_offences,
        cast(area_checks.proactive_violent_offences as bigint) as proactive_violent_offences,
        cast(area_checks.residents as bigint) as residents,
        area_checks.residents * analysis_window.window_years / 1000 as resident_thousand_years
    from area_checks
    cross join analysis_window

    union all by name

    select
        by_person_group.check_name,
        by_person_group.breakdown,
        by_person_group.breakdown_name,
        cast(by_person_group.suspects_of_school_age as bigint) as suspects_of_school_age,
        round(force_ethnic_shares.resident_share, 6) as resident_share,
        round(home_area_shares.resident_share_of_home_areas, 6) as resident_share_of_home_areas
    from by_person_group
    left join force_ethnic_shares
        on
            by_person_group.check_name = 'school_aged_suspects_by_ethnicity'
            and by_person_group.breakdown = force_ethnic_shares.ethnic_group
    left join home_area_shares
        on
            by_person_group.check_name = 'school_aged_suspects_by_ethnicity'
            and by_person_group.breakdown = home_area_shares.ethnic_group

    union all by name

    select
        check_name,
        breakdown,
        breakdown_name,
        top_schools,
        top_schools_kept_without_proactive,
        rank_correlation_without_proactive
    from priority_list_check

    union all by name

    select
        'exposure_by_deprivation_decile' as check_name,
        imd_decile as breakdown,
        {{ imd_decile_name('imd_decile') }} as breakdown_name,
        ranked_schools,
        mean_exposure_index
    from exposure_by_decile
),

counted as (
    -- A figure whose source the force did not give is null, never 0.
    select
        checks.check_name,
        checks.breakdown,
        checks.breakdown_name,
        checks.violent_offences,
        case
            when availability.is_proactive_flag_available
                then checks.proactive_violent_offences
        end as proactive_violent_offences,
        availability.is_proactive_flag_available,
        checks.residents,
        checks.resident_thousand_years,
        case
            when suspect_availability.is_suspect_data_available
                then checks.suspects_of_school_age
        end as suspects_of_school_age,
        suspect_availability.is_suspect_data_available,
        checks.resident_share,
        checks.resident_share_of_home_areas,
        census_availability.is_census_ethnicity_available,
        census_availability.is_census_all_ages,
        case
            when availability.is_proactive_flag_available then checks.top_schools
        end as top_schools,
        case
            when availability.is_proactive_flag_available
                then checks.top_schools_kept_without_proactive
        end as top_schools_kept_without_proactive,
        checks.rank_correlation_without_proactive,
        checks.ranked_schools,
        checks.mean_exposure_index
    from checks
    cross join availability
    cross join suspect_availability
    cross join census_availability
),

controlled as (
    {{ disclosure_control('counted', derive=false) }}
),

with_denominators as (
    -- A share's denominator, from published counts: every suspect (sex), or those with a
    -- recorded group (ethnicity); null when a count it needs is suppressed.
    select
        *,
        case
            when breakdown not in ('all', 'not_recorded') and check_name like 'school_aged%'
                then nullif(
                    max(suspects_of_school_age) filter (where breakdown = 'all')
                        over (partition by check_name)
                    - coalesce(
                        max(suspects_of_school_age) filter (where breakdown = 'not_recorded')
                            over (partition by check_name),
                        case when check_name = 'school_aged_suspects_by_sex' then 0 end
                    ),
                    0
                )
        end as share_denominator
    from controlled
),

derived as (
    {{ disclosure_derived('with_denominators', derived) }}
),

final as (
    select
        -- ids
        check_name,
        breakdown,

        -- attributes
        breakdown_name,

        -- measures
        violent_offences,
        violent_offences_suppressed,
        residents,
        violent_rate_per_1000_per_year,
        is_proactive_flag_available,
        proactive_violent_offences,
        proactive_violent_offences_suppressed,
        proactive_share,
        is_suspect_data_available,
        suspects_of_school_age,
        suspects_of_school_age_suppressed,
        suspect_share,
        suspect_share_lower,
        suspect_share_upper,
        is_census_ethnicity_available,
        is_census_all_ages,
        resident_share,
        resident_share_of_home_areas,
        round(suspect_share / nullif(resident_share_of_home_areas, 0), 4)
            as ratio_to_home_areas,
        round(suspect_share_lower / nullif(resident_share_of_home_areas, 0), 4)
            as ratio_to_home_areas_lower,
        round(suspect_share_upper / nullif(resident_share_of_home_areas, 0), 4)
            as ratio_to_home_areas_upper,
        top_schools,
        top_schools_kept_without_proactive,
        round(top_schools_kept_without_proactive / nullif(top_schools, 0), 4)
            as top_schools_kept_share,
        rank_correlation_without_proactive,
        ranked_schools,
        mean_exposure_index
    from derived
)

-- In a fixed order, so that every reader sees the rows in the same order.
select * from final
order by check_name, try_cast(breakdown as integer) nulls last, breakdown
