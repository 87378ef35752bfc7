"""Tests of the disclosure tests: tables that break one rule each must fail exactly the test for
that rule, and a table made by disclosure_control() must pass them all.

The fixture models (models/fixtures/disclosure/) are enabled only by the var
`disclosure_test_fixtures`, so they never reach a normal build. dbt unit tests would not do
here: they test a model's SQL, whereas these are data tests on published tables.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from conftest import dbt_env, run_dbt

DISCLOSURE_TESTS = {
    "disclosure_no_small_counts",
    "disclosure_counts_rounded",
    "disclosure_flags_match_counts",
    "disclosure_derived_suppressed",
    "disclosure_no_recoverable_cells",
}

# fixture model -> the one disclosure test it must fail
EXPECTED_FAILURE = {
    "disclosure_fixture_clean": None,
    "disclosure_fixture_narrow_total": None,
    "disclosure_fixture_small_count": "disclosure_no_small_counts",
    "disclosure_fixture_unrounded": "disclosure_counts_rounded",
    "disclosure_fixture_flag_mismatch": "disclosure_flags_match_counts",
    "disclosure_fixture_rate_beside_suppressed": "disclosure_derived_suppressed",
    "disclosure_fixture_lone_suppressed_cell": "disclosure_no_recoverable_cells",
}


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("disclosure_fixtures")
    db_path = work / "disclosure.duckdb"
    env = dbt_env(work / "no_raw_files_needed", db_path, key=None)
    result = run_dbt(
        [
            "build",
            "--select",
            "path:models/fixtures/disclosure",
            "--vars",
            "{disclosure_test_fixtures: true}",
        ],
        env,
        work / "target",
        work / "logs",
    )
    return result, work / "target", db_path


def outcomes(target_dir: Path) -> dict[tuple[str, str], str]:
    """(fixture model, disclosure test) -> status ('pass', 'fail', 'error')."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    results = json.loads((target_dir / "run_results.json").read_text())["results"]
    found = {}
    for result in results:
        node = manifest["nodes"][result["unique_id"]]
        if node["resource_type"] != "test":
            continue
        test_name = node["test_metadata"]["name"]
        model = node["attached_node"].split(".")[-1]
        found[(model, test_name)] = result["status"]
    return found


def test_every_fixture_fails_exactly_its_own_test(fixture_run):
    result, target_dir, _ = fixture_run
    found = outcomes(target_dir)
    expected = {
        (model, test): ("fail" if test == failing else "pass")
        for model, failing in EXPECTED_FAILURE.items()
        for test in DISCLOSURE_TESTS
    }
    assert found == expected, result.stdout[-4000:]
    assert result.returncode != 0


def test_disclosure_control_suppresses_across_groups_and_rounds(fixture_run):
    """The clean fixture, cell by cell: c01 (3) is below the threshold; the chain of lone
    cells c01 -> c03 -> c04 -> c05 -> c07 crosses groups a and b over several passes, a
    non-zero partner (c05) is preferred to a zero (c06); c08 (4) has only zeros beside it, so
    the first zero (c09) goes with it; 12 is published as 10 and its rate comes from the 10."""
    *_, db_path = fixture_run
    con = duckdb.connect(str(db_path), read_only=True)
    rows = con.execute(
        "select cell_id, n, n_suppressed, rate from fixtures.disclosure_fixture_clean"
    ).fetchall()
    published = {cell: (n, rate) for cell, n, suppressed, rate in rows if not suppressed}
    suppressed = {cell for cell, n, is_suppressed, rate in rows if is_suppressed}
    assert suppressed == {"c01", "c03", "c04", "c05", "c07", "c08", "c09"}
    assert published == {
        "c02": (40, 4.0),
        "c06": (0, 0.0),
        "c10": (0, 0.0),
        "c11": (100, 10.0),
        "c12": (10, 1.0),
    }


def test_a_total_that_would_narrow_its_suppressed_parts_is_suppressed(fixture_run):
    """disclosure_fixture_narrow_total: T1's total (21, shown 20) less its published part
    (14, shown 15) leaves its two suppressed parts at most 8 each, so the total goes too;
    T2's (30) leaves them up to 13, so it stays."""
    *_, db_path = fixture_run
    con = duckdb.connect(str(db_path), read_only=True)
    rows = con.execute(
        "select cell_id, n, n_suppressed from fixtures.disclosure_fixture_narrow_total"
    ).fetchall()
    suppressed = {cell for cell, n, is_suppressed in rows if is_suppressed}
    published = {cell: n for cell, n, is_suppressed in rows if not is_suppressed}
    assert suppressed == {"t1", "p2", "p3", "q2", "q3"}
    assert published == {"p1": 15, "t2": 30, "q1": 20}
