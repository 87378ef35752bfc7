{#- Disclosure control, flags: for every count in config.meta.disclosure.counts the model has
    a `<count>_suppressed` flag that is never null, true exactly when the count is null. Fails
    with every cell where a flag says suppressed beside a published value, says published
    beside a null, or is missing. -#}
{% test disclosure_flags_match_counts(model) %}
{{ disclosure_failing_counts(
    model,
    "{count}_suppressed is null or {count}_suppressed != ({count} is null)",
    extra="{count}_suppressed as suppressed") }}
{% endtest %}
