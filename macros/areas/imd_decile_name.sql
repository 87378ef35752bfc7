{#- An IMD decile in words, from its code as text ('1' to '10', or 'unknown'): the two ends
    say which end they are, so a reader of a bias table need not know the convention. -#}
{% macro imd_decile_name(decile) -%}
    case {{ decile }}
        when '1' then '1 (most deprived 10%)'
        when '10' then '10 (least deprived 10%)'
        else {{ decile }}
    end
{%- endmacro %}
