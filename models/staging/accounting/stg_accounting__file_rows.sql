-- One row per raw file and outcome: the source rows staged (reject_reason null) or rejected
-- for each reason, counted in source rows as the reconciliation tests count them (one per
-- LSOA in the ONS wide population form). Here, beside the base models it reads (they are
-- private to staging), so that fct_data_quality can account for every file.
{%- set files = [
    ('base_police__offences', offence_file_label()),
    ('base_police__offence_persons', 'offence_persons.csv'),
    ('base_gias__schools', 'schools.csv'),
    ('base_dfe__pupil_residence', 'pupil_residence.csv'),
    ('base_ons__lsoa_boundaries', 'lsoa_boundaries'),
    ('base_ons__lsoa_lookup', 'lsoa_lookup.csv'),
    ('base_ons__lsoa_population', 'lsoa_population.csv'),
    ('base_ons__lsoa_ethnicity', 'lsoa_ethnicity.csv'),
    ('base_ons__oa_boundaries', 'oa_boundaries'),
    ('base_ons__oa_population', 'oa_population.csv'),
    ('base_mhclg__deprivation', 'deprivation.csv'),
    ('base_vru__vru_schools', 'vru_schools.csv'),
    ('base_vru__school_holidays', 'school_holidays.csv'),
] %}
with

outcomes as (
    {%- for base_model, file_name in files %}
        select
            {{ sql_string(file_name) }} as file_name,
            {{ loop.index }} as file_order,
            reject_reason,
            count(distinct source_row_number) as source_rows
        from {{ ref(base_model) }}
        group by reject_reason

        union all
    {%- endfor %}
    -- A staged row of nought for each file, so an empty or absent optional file shows.
    select
        every_file.file_name,
        every_file.file_order,
        null as reject_reason,
        0 as source_rows
    from (
        values
        {%- for base_model, file_name in files %}
            ({{ sql_string(file_name) }}, {{ loop.index }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as every_file (file_name, file_order)
),

final as (
    select
        file_name,
        file_order,
        reject_reason,
        sum(source_rows) as source_rows
    from outcomes
    group by file_name, file_order, reject_reason
)

select * from final
