"""Same answer every rebuild, whatever the user's vars: the marts of two builds of the same
input are identical, row for row and in the same order, and the project's unit tests pass
whatever raw directory and vars the user has (they test the code, not the data)."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from conftest import Build, dbt_env, run_dbt

# Every var set to something other than its default: a unit test that leans on a default
# (instead of fixing the vars it needs) fails with these.
ODD_VARS = {
    "analysis_start": "2019-06-01",
    "analysis_end": "2020-05-31",
    "analysis_months": 12,
    "coverage_min_month_share": 0.9,
    "reference_date": "2020-01-01",
    "max_reject_share": 0.01,
    "warn_reject_share": 0.001,
    "violence_categories": ["robbery"],
    "other_person_roles": [],
    "school_age_min_offender": 12,
    "school_age_min_victim": 6,
    "school_age_max": 15,
    "high_violence_ratio": 2.0,
    "interval_level": 0.8,
    "disclosure_min_count": 20,
    "disclosure_rounding": 10,
    "priority_weights": {
        "exposure_violence_rate": 1,
        "pupils_from_high_violence_areas": 1,
        "school_aged_violent_offenders_per_1000_pupils": 1,
        "near_school_commute_violence": 1,
    },
    "priority_top_n": 3,
    "priority_rank_replicates": 20,
    "max_age_at_offence": 60,
    "catchment_method": "nearest",
    "use_observed_catchments": False,
    "mean_distance_km": {"primary": 1.0, "secondary": 9.0},
    "gravity_beta_scale": 2.0,
    "catchment_max_distance_km": {"primary": 3.0, "secondary": 5.0},
    "catchment_max_schools_per_lsoa": {"primary": 2, "secondary": 2},
    "mean_log_distance": {"primary": 0.5, "secondary": 1.5},
    "cross_authority_share": {"primary": 0.2, "secondary": 0.3},
    "nearest_school_share": {"primary": 0.6, "secondary": 0.5},
    "calibrate_to_observed_catchments": False,
    "calibration_min_observed_schools": 3,
    "special_school_range_km": 2,
    "independent_school_range_km": 3,
    "independent_school_max_km": 10,
    "independent_school_affluence_ratio": 2,
    "catchment_uncertainty_scale": 0.5,
    "gravity_ipf_iterations": 5,
    "suppressed_pupils_max": 2,
    "near_school_radius_m": 50,
    "commute_windows": [{"start": "06:00", "end": "07:00"}],
    "study_area_is_cut": True,
    "quality_min_geocoding_hit_rate": 0.99,
    "quality_max_unknown_code_share": 0.0001,
    "quality_max_missing_date_of_birth_share": 0.01,
    "quality_max_homes_not_located_share": 0.01,
    "quality_max_schools_without_roll_share": 0.01,
    "quality_max_catchment_fallback_share": 0.001,
    "quality_max_uncertain_top_rank_share": 0.5,
}


@pytest.fixture(scope="module")
def rebuild(built: Build, tmp_path_factory):
    """A second build of the fixture world, same key, into a new database."""
    work = tmp_path_factory.mktemp("rebuild")
    db = work / "school_exposure.duckdb"
    result = run_dbt(
        ["build", "--exclude-resource-type", "unit_test"],
        dbt_env(built.world.raw_dir, db, built.key),
        work / "target",
        work / "logs",
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return db


def test_odd_vars_cover_every_var(built: Build):
    import yaml

    from conftest import PROJECT_DIR

    defaults = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    # how a build runs, not what it computes
    definitions = set(defaults) - {"raw_dir", "drop_person_level_tables"}
    assert definitions <= set(ODD_VARS), sorted(definitions - set(ODD_VARS))


def test_two_builds_of_the_same_input_publish_identical_marts(built: Build, rebuild):
    models = {f"{node['schema']}.{node['alias']}": node for node in built.public_models()}
    tables = sorted(models)
    assert "marts.fct_school_exposure" in tables and "marts.fct_area_violence" in tables
    con = duckdb.connect()
    con.execute(f"attach '{built.db_path}' as first (read_only)")
    con.execute(f"attach '{rebuild}' as second (read_only)")
    for table in tables:
        first = con.execute(f"select * from first.{table}").fetchall()
        second = con.execute(f"select * from second.{table}").fetchall()
        # a table that compares with a previous build has no rows on a first build
        assert len(first) > 0 or models[table]["config"]["meta"].get("empty_on_first_build"), table
        # same rows in the same order: a BI tool reading either sees the same table
        differing = sum(a != b for a, b in zip(first, second)) + abs(len(first) - len(second))
        assert differing == 0, f"{table}: {differing} of {len(first)} rows differ"


def test_ranks_are_the_same_on_a_rebuild(built: Build, rebuild):
    query = (
        "select urn, priority_rank, priority_rank_lower, priority_rank_upper"
        " from {}.marts.fct_school_exposure order by urn"
    )
    con = duckdb.connect()
    con.execute(f"attach '{built.db_path}' as first (read_only)")
    con.execute(f"attach '{rebuild}' as second (read_only)")
    assert (
        con.execute(query.format("first")).fetchall()
        == con.execute(query.format("second")).fetchall()
    )


def test_unit_tests_pass_whatever_the_users_files_and_vars(built: Build, tmp_path):
    """The unit tests run against an empty raw directory and with every var changed: none
    reads a raw file, and each fixes the vars its logic depends on."""
    empty_raw = tmp_path / "no files here"
    empty_raw.mkdir()
    db = tmp_path / "copy.duckdb"
    shutil.copy(built.db_path, db)
    result = run_dbt(
        ["test", "--select", "test_type:unit", "--vars", json.dumps(ODD_VARS)],
        dbt_env(empty_raw, db, built.key),
        tmp_path / "target",
        tmp_path / "logs",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "PASS=" in output and " ERROR=0" in output
