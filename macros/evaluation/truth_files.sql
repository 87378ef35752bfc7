{#- The generator's true pupil flows (truth/pupil_flows.csv under var truth_dir), typed: one
    row per school and LSOA with the pupils who really live there. Only synthetic data has a
    truth; the analyses of analyses/evaluation read it. -#}
{% macro truth_pupil_flows() -%}
    select
        cast(urn as bigint) as urn,
        lsoa_code,
        cast(pupils as double) as pupils
    from read_csv(
        {{ sql_string(var('truth_dir', 'data/truth') ~ '/pupil_flows.csv') }},
        all_varchar = true
    )
{%- endmacro %}
