-- How many rows of each extract file were rejected, and why: the first thing to read after a
-- build on a new extract. `dbt compile --select rejects_by_reason` renders it for any client.
{%- set rejects_models = [
    'stg_police__offences_rejects',
    'stg_police__offence_persons_rejects',
    'stg_gias__schools_rejects',
    'stg_ons__lsoa_boundaries_rejects',
    'stg_ons__lsoa_lookup_rejects',
    'stg_ons__lsoa_population_rejects',
    'stg_dfe__pupil_residence_rejects',
    'stg_mhclg__deprivation_rejects',
    'stg_vru__vru_schools_rejects',
    'stg_vru__school_holidays_rejects',
] %}

with

rejects as (
    {%- for model in rejects_models %}
        select
            '{{ model }}' as rejects_model,
            reject_reason,
            source_row_number
        from {{ ref(model) }}
        {{ "union all" if not loop.last }}
    {%- endfor %}
)

select
    rejects_model,
    reject_reason,
    count(*) as rows_rejected,
    min(source_row_number) as first_row_number
from rejects
group by rejects_model, reject_reason
order by rejects_model asc, rows_rejected desc
