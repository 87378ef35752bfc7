"""scripts/check_governance.py on the built project (it must pass), on deliberately bad public
models (they must be refused), and on manifests altered one rule at a time."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys

import pytest

from check_governance import DISCLOSURE_TESTS, Checker, main
from conftest import PROJECT_DIR, SCRIPTS_DIR, Build, dbt_env, run_dbt

MART = "model.school_exposure.fct_area_violence"


@pytest.fixture(scope="module")
def manifest(built: Build) -> dict:
    return json.loads((built.target_dir / "manifest.json").read_text())


@pytest.fixture(scope="module")
def catalog(built: Build) -> dict:
    return json.loads((built.target_dir / "catalog.json").read_text())


def problems(manifest: dict, catalog: dict | None = None) -> list[str]:
    return Checker(manifest, catalog).run(["pii", "grain", "disclosure", "audience", "docs"])


def test_the_built_project_passes_every_governance_check(built: Build):
    assert main(["--manifest", str(built.target_dir / "manifest.json")]) == 0


def test_the_cli_explains_itself():
    result = subprocess.run(
        [sys.executable, str(SCRIPTS_DIR / "check_governance.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--manifest" in result.stdout and "pii" in result.stdout


def test_deliberately_bad_public_models_are_refused(built: Build, tmp_path):
    """Build the governance fixtures (a public model of person rows, and one claiming area
    grain without aggregating) on a copy of the built database, then run the check."""
    db_path = tmp_path / "copy.duckdb"
    shutil.copy(built.db_path, db_path)
    env = dbt_env(built.world.raw_dir, db_path, built.key)
    target, logs = tmp_path / "target", tmp_path / "logs"
    fixture_vars = ["--vars", "{governance_test_fixtures: true}"]
    result = run_dbt(
        ["run", "--select", "path:models/fixtures/governance", *fixture_vars], env, target, logs
    )
    assert result.returncode == 0, result.stdout[-3000:]
    result = run_dbt(["docs", "generate", *fixture_vars], env, target, logs)
    assert result.returncode == 0, result.stdout[-3000:]
    found = subprocess.run(
        [
            sys.executable,
            str(SCRIPTS_DIR / "check_governance.py"),
            "--manifest",
            str(target / "manifest.json"),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    assert found.returncode == 1
    lines = found.stdout.splitlines()
    leaky = [line for line in lines if "fct_fixture_leaky_persons" in line]
    assert any(line.startswith("P1") and "person_id" in line for line in leaky), lines
    assert any(line.startswith("P1") and "column sex" in line for line in leaky), lines
    assert any(line.startswith("G1") for line in leaky), lines
    assert any(line.startswith("G3") for line in leaky), lines
    assert any(line.startswith("G2 fct_fixture_unaggregated_area") for line in lines), lines
    school = [line for line in lines if "fct_fixture_public_school_figures" in line]
    assert any("not access: public" in line for line in school), lines
    assert any("school grain" in line for line in school), lines
    assert any("column urn" in line for line in school), lines
    assert any("column school_pupils" in line for line in school), lines
    assert any(line.startswith("D1 fct_fixture_unaggregated_area") for line in lines), lines
    # The real mart is not among the problems.
    assert not [line for line in lines if " fct_area_violence:" in line], lines


def test_a_missing_disclosure_test_is_caught(manifest):
    bad = copy.deepcopy(manifest)
    for uid, node in list(bad["nodes"].items()):
        if (
            node["resource_type"] == "test"
            and node.get("attached_node") == MART
            and node["test_metadata"]["name"] == "disclosure_no_recoverable_cells"
        ):
            del bad["nodes"][uid]
    assert any(p.startswith("D2 fct_area_violence") for p in problems(bad))


def test_an_unaccounted_numeric_column_is_caught(manifest):
    bad = copy.deepcopy(manifest)
    del bad["nodes"][MART]["config"]["meta"]["disclosure"]["not_counts"]
    assert any("D3 fct_area_violence: column residents" in p for p in problems(bad))


def test_a_quasi_identifier_in_a_public_model_needs_a_reason(manifest):
    bad = copy.deepcopy(manifest)
    bad["nodes"][MART]["columns"]["sex"] = {"name": "sex", "data_type": "varchar"}
    assert any("P1 fct_area_violence: column sex" in p for p in problems(bad))
    bad["nodes"][MART]["columns"]["sex"]["config"] = {
        "meta": {"pii_aggregated": "a category of aggregated counts"}
    }
    assert not any("column sex" in p for p in problems(bad))


def test_unclassified_personal_columns_downstream_are_caught(manifest, catalog):
    bad = copy.deepcopy(manifest)
    column = bad["nodes"]["model.school_exposure.stg_police__offence_persons"]["columns"]
    column["sex"]["config"]["meta"] = {}
    column["sex"]["meta"] = {}
    assert any("P2 stg_police__offence_persons: column sex" in p for p in problems(bad, catalog))


def test_a_public_model_without_the_disclosure_docs_block_is_caught(manifest):
    bad = copy.deepcopy(manifest)
    bad["nodes"][MART]["description"] = "One row per area."
    assert any(p.startswith("C1 fct_area_violence") for p in problems(bad))


def test_every_mart_declares_who_may_see_it(manifest):
    bad = copy.deepcopy(manifest)
    del bad["nodes"]["model.school_exposure.fct_data_quality"]["config"]["meta"]["audience"]
    assert any(p.startswith("A1 fct_data_quality") for p in problems(bad))


def test_named_schools_cannot_be_declared_public(manifest):
    """The ranked list of schools is for the VRU; declared public, the check refuses it."""
    bad = copy.deepcopy(manifest)
    school_mart = bad["nodes"]["model.school_exposure.fct_school_exposure"]
    school_mart["config"]["meta"]["audience"] = "public"
    found = [p for p in problems(bad) if p.startswith("A2 fct_school_exposure")]
    assert any("school grain" in p for p in found), found
    assert any("column urn" in p for p in found), found
    assert any("column school_name" in p for p in found), found


def test_the_checked_tests_are_the_project_tests():
    names = {path.stem for path in (PROJECT_DIR / "tests" / "generic").glob("disclosure_*.sql")}
    assert names == DISCLOSURE_TESTS
