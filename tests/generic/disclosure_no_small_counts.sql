{#- Disclosure control, primary suppression: fails with every published count (each column in
    the model's config.meta.disclosure.counts) from 1 to var disclosure_min_count - 1. Zero may
    be shown; a smaller count must be null (suppressed). One failing row per cell. -#}
{% test disclosure_no_small_counts(model) %}
{{ disclosure_failing_counts(
    model, "{count} > 0 and {count} < " ~ var('disclosure_min_count')) }}
{% endtest %}
