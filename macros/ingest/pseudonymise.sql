{#- A person reference's pseudonym: HMAC-SHA256(key, the reference trimmed), its first 32 hex
    characters; null for null. HMAC as RFC 2104 defines it, sha256(outer || sha256(inner ||
    reference)), in DuckDB's own sha256, which runs on every thread (3 times faster than the
    standard library's hmac in a Python function, which held one thread). inner_pad and
    outer_pad are the key's two padded blocks, from the plugin's pseudonymisation_key_pad,
    best taken once in a one-row CTE (called per row, the Python function costs half as much
    again as the hashing); the key itself never appears in SQL. The reference is trimmed of
    what Python's str.strip() removes (only when it starts or ends with one of those: the
    trim of a set of 29 characters is slow), so the pseudonyms equal scripts/
    pseudonymisation.py's make_pseudonymiser (tests/python/test_privacy.py holds them to it). -#}
{% macro pseudonymise(reference, inner_pad, outer_pad) -%}
    {%- set whitespace = [9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160, 5760, 8192, 8193,
        8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287,
        12288] -%}
    {%- set characters -%}
        ({% for code in whitespace %}chr({{ code }}){{ ' || ' if not loop.last }}{% endfor %})
    {%- endset -%}
    left(
        sha256(
            ({{ outer_pad }})
            || unhex(sha256(
                ({{ inner_pad }})
                || encode(
                    case
                        when
                            contains({{ characters }}, left({{ reference }}, 1))
                            or contains({{ characters }}, right({{ reference }}, 1))
                            then trim({{ reference }}, {{ characters }})
                        else {{ reference }}
                    end
                )
            ))
        ),
        32
    )
{%- endmacro %}
