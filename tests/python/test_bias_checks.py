"""fct_bias_checks on the fixture world: every deprivation decile is shown, and each published
count is the exact count of the offences in its group, disclosure-controlled."""

from __future__ import annotations

from conftest import Build

EXACT = """
with offences as (
    select offences.*, coalesce(cast(deprivation.imd_decile as varchar), 'unknown') as decile,
        coalesce(lookup.lad_code, 'unknown') as lad_code
    from intermediate.int_violent_offences_counted as offences
    left join staging.stg_mhclg__deprivation as deprivation using (lsoa_code)
    left join staging.stg_ons__lsoa_lookup as lookup using (lsoa_code)
    where offences.lsoa_code is not null
)
select 'violence_by_deprivation_decile', decile, count(*), count(*) filter (where is_proactive)
from offences group by decile
union all
select 'violence_by_local_authority', lad_code, count(*), count(*) filter (where is_proactive)
from offences group by lad_code
"""


def published(built: Build) -> dict[tuple, tuple]:
    con = built.connect()
    rows = con.execute(
        "select check_name, breakdown, violent_offences, violent_offences_suppressed,"
        " proactive_violent_offences, proactive_violent_offences_suppressed,"
        " is_proactive_flag_available from marts.fct_bias_checks"
    ).fetchall()
    return {(check, breakdown): rest for check, breakdown, *rest in rows}


def test_every_deprivation_decile_has_a_row(built: Build):
    deciles = {b for (c, b) in published(built) if c == "violence_by_deprivation_decile"}
    assert {str(d) for d in range(1, 11)} <= deciles


def test_published_counts_are_the_exact_counts_controlled(built: Build):
    rows = published(built)
    exact = {
        (check, group): (violent, proactive)
        for check, group, violent, proactive in built.connect().execute(EXACT).fetchall()
    }
    assert exact, "no violent offences in the fixture world"
    for key, (violent, proactive) in exact.items():
        shown, hidden, shown_proactive, hidden_proactive, available = rows[key]
        assert available, "the synthetic extract records proactive policing"
        for true, value, suppressed in (
            (violent, shown, hidden),
            (proactive, shown_proactive, hidden_proactive),
        ):
            if suppressed:
                assert value is None and true >= 1, key
            elif true == 0:
                assert value == 0, key
            else:
                assert value % 5 == 0 and abs(value - true) <= 2, (key, value, true)
    # Groups with no offences are shown as 0, never left out.
    for key, values in rows.items():
        if key not in exact:
            assert values[0] == 0 and not values[1], key
    # The deciles and the authorities each hold every located, counted offence.
    located = sum(v for (c, _), (v, _) in exact.items() if c == "violence_by_local_authority")
    assert located == sum(
        v for (c, _), (v, _) in exact.items() if c == "violence_by_deprivation_decile"
    )
