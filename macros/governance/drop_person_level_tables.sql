{#- on-run-end hook (dbt_project.yml). With var drop_person_level_tables true, drops every
    relation whose model declares meta.grain: person (read from the graph, so a person-level
    model added later is dropped too), then checkpoints so the file no longer holds them.
    Tests have run by then (on-run-end follows them in `dbt build`); the published marts stay.
    Rebuilding anything downstream of a dropped table needs a full `dbt build` again. -#}
{% macro drop_person_level_tables() -%}
    {%- if execute and var('drop_person_level_tables', false) -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.config.meta.get('grain') == 'person' -%}
            {%- set relation = adapter.get_relation(
                database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- if relation is not none -%}
                {%- do log('drop_person_level_tables: dropping ' ~ relation, info=true) -%}
                {%- do adapter.drop_relation(relation) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do adapter.commit() -%}
        checkpoint
    {%- endif -%}
{%- endmacro %}
