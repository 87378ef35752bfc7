{#- Disclosure control, flags: for every count in config.meta.disclosure.counts the model has
    a `<count>_suppressed` flag that is never null, true exactly when the count is null,
    except where the count is unavailable (config.meta.disclosure.availability names the
    count's availability column: an unavailable count is null and not suppressed). Fails
    with every cell where a flag says suppressed beside a published value, says published
    beside a null, or is missing. -#}
{% test disclosure_flags_match_counts(model) %}
{%- set spec = disclosure_spec(model) or {} %}
{%- set availability = spec.get('availability', {}) %}
{{ disclosure_failing_counts(
    model,
    "{count}_suppressed is null or {count}_suppressed != ({count} is null and "
    ~ "coalesce({available}, true))",
    extra="{count}_suppressed as suppressed",
    available=availability) }}
{% endtest %}
