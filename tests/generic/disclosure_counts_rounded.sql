{#- Disclosure control, rounding: fails with every published count (config.meta.disclosure
    .counts) that is not a multiple of var disclosure_rounding. -#}
{% test disclosure_counts_rounded(model) %}
{{ disclosure_failing_counts(model, "{count} % " ~ var('disclosure_rounding') ~ " != 0") }}
{% endtest %}
