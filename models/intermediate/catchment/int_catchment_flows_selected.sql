-- One row per LSOA and open school: the catchment the exposure measures use. A school covered
-- by pupil_residence.csv uses it (unless var use_observed_catchments is false); every other
-- school uses var catchment_method (gravity by default).
{%- if var('catchment_method') not in ['gravity', 'nearest'] %}
    {{ exceptions.raise_compiler_error(
        "var catchment_method must be 'gravity' or 'nearest', not '"
        ~ var('catchment_method') ~ "'.") }}
{%- endif %}
with

flows as (
    select * from {{ ref('int_catchment_flows') }}
),

chosen_method as (
    select
        urn,
        case
            when {{ var('use_observed_catchments') }} and bool_or(method = 'observed')
                then 'observed'
            else '{{ var("catchment_method") }}'
        end as method
    from flows
    group by urn
),

final as (
    select
        flows.lsoa_code,
        flows.urn,
        flows.method as catchment_method,
        flows.expected_pupils,
        flows.weight
    from flows
    inner join chosen_method
        on flows.urn = chosen_method.urn and flows.method = chosen_method.method
)

select * from final
