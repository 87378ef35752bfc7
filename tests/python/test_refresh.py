"""Refresh (README, "Refresh"): run_build.py --refresh from the published build of one day's
extract onto the next day's (new offences and person rows, a few offences changed) reuses the
published catchments and publishes marts exactly equal to a full rebuild's; when schools.csv
has changed it builds everything, catchments too, and says why.

Four builds of the fixture world through run_build.py: day one in full, the next day
refreshed and in full, and the next day with a changed school refreshed (13 minutes measured
on a 2-core machine loaded by other jobs)."""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

import duckdb
import pytest

from compare_marts import compare_table, quoted, tables
from conftest import PROJECT_DIR, World, dbt_env, run_script
from spatial_extension import load_spatial

CATCHMENT_MODELS = sorted(
    path.stem
    for path in (PROJECT_DIR / "models/intermediate/catchment").iterdir()
    if path.suffix in (".sql", ".py")
)
# how the build was made, not what it found: the refresh leaves out the models it reused
BUILD_STATUS_COLUMNS = ("started_at", "finished_at", "invocation_id", "selection", "nodes_run")


def run_build(db: Path, raw: Path, key: str, *options: str):
    env = dbt_env(raw, db, key)
    env["DBT_TARGET_PATH"] = str(db.with_suffix(".target"))
    env["DBT_LOG_PATH"] = str(db.with_suffix(".logs"))
    result = run_script("run_build.py", ["--db", str(db), "--raw-dir", str(raw), *options], env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    return output


def marts_differences(base: Path, new: Path) -> dict[str, list[str]]:
    """Every table of marts compared row by row with scripts/compare_marts.py's functions,
    with no tolerance: table -> the columns that differ (or why it cannot be compared)."""
    con = duckdb.connect()
    load_spatial(con)
    con.execute(f"attach '{base}' as base (read_only)")
    con.execute(f"attach '{new}' as new (read_only)")
    base_tables, new_tables = tables(con, "base", "marts"), tables(con, "new", "marts")
    assert len(base_tables) >= 8
    differ = {}
    for name in sorted(set(base_tables) | set(new_tables)):
        if name not in base_tables or name not in new_tables:
            differ[name] = ["only in one database"]
            continue
        skip = BUILD_STATUS_COLUMNS if name == "build_status" else ()
        columns = [c for c in base_tables[name] if c[0] not in skip]
        if columns != [c for c in new_tables[name] if c[0] not in skip]:
            differ[name] = ["columns or types"]
            continue
        relations = (f"base.marts.{quoted(name)}", f"new.marts.{quoted(name)}")
        result = compare_table(con, relations, columns, 0.0)
        if result["rows_base"] != result["rows_new"] or result["differing"]:
            differ[name] = result["differing"] or ["row counts"]
    con.close()
    return differ


def build_status(db: Path) -> tuple:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select status, selection, nodes_run from marts.build_status").fetchone()


# Models the catchments are built from: reused by a refresh with the catchments, since the
# fingerprint covers all of their inputs.
STAGING_UPSTREAM = ["stg_gias__schools", "stg_ons__lsoa_boundaries", "stg_ons__lsoa_population"]


def built_catchment_models(output: str) -> list[str]:
    return [name for name in CATCHMENT_MODELS if f"model intermediate.{name} " in output]


def built_staging_upstream(output: str) -> list[str]:
    return [name for name in STAGING_UPSTREAM if f"model staging.{name} " in output]


def change_a_school(raw: Path) -> None:
    """Add ten pupils to the first plain row of schools.csv with a number of pupils."""
    path = raw / "schools.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    column = [name.lower() for name in header].index("numberofpupils")
    for i, line in enumerate(lines[1:], start=1):
        fields = line.rstrip("\r\n").split(",")
        if '"' not in line and len(fields) == len(header) and fields[column].isdigit():
            fields[column] = str(int(fields[column]) + 10)
            lines[i] = ",".join(fields) + line[len(line.rstrip("\r\n")) :]
            break
    else:
        pytest.fail("no plain row of schools.csv with a number of pupils")
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def days(world: World, tmp_path_factory):
    """Day one built and published in full; the next day's extract, and the same with one
    school's roll changed; each next day's build starts from a copy of day one's file."""
    work = tmp_path_factory.mktemp("refresh")
    key = secrets.token_hex(32)
    day_one = work / "day_one.duckdb"
    run_build(day_one, world.raw_dir, key)
    next_day = work / "next_day"
    made = run_script(
        "next_day_extract.py",
        [str(world.raw_dir), str(next_day), "--offences", "60", "--changed", "12"],
    )
    assert made.returncode == 0, made.stderr[-3000:]
    new_school = work / "new_school"
    shutil.copytree(next_day, new_school)
    change_a_school(new_school)

    outputs = {}
    for name, raw, options in [
        ("refresh", next_day, ["--refresh"]),
        ("rebuilt", next_day, []),
        ("school_changed", new_school, ["--refresh"]),
    ]:
        db = work / f"{name}.duckdb"
        shutil.copy(day_one, db)
        outputs[name] = (db, run_build(db, raw, key, *options))
    return world, key, next_day, outputs


def test_a_refresh_reuses_the_catchments_and_equals_a_full_rebuild(days):
    *_, outputs = days
    (refreshed, refresh_output), (rebuilt, rebuild_output) = (
        outputs["refresh"],
        outputs["rebuilt"],
    )
    assert (
        f"refresh: reusing the {len(CATCHMENT_MODELS)} catchment models and the " in refresh_output
    )
    assert built_catchment_models(refresh_output) == []
    assert built_staging_upstream(refresh_output) == []
    assert built_catchment_models(rebuild_output) == CATCHMENT_MODELS
    assert built_staging_upstream(rebuild_output) == STAGING_UPSTREAM
    assert marts_differences(rebuilt, refreshed) == {}
    status, selection, nodes_run = build_status(refreshed)
    assert status == "complete"
    logged = json.loads(refreshed.with_name("refresh.runs.jsonl").read_text().splitlines()[-1])
    assert logged["outcome"] == "published"
    reused = logged["refresh"]["reused_models"]
    assert reused >= len(CATCHMENT_MODELS) + len(STAGING_UPSTREAM)
    assert selection == (
        f"all, {reused} models reused from the published build "
        "(the catchments and what they are built from)"
    )
    assert nodes_run < build_status(rebuilt)[2]


def test_a_refresh_records_what_the_next_one_compares(days):
    *_, outputs = days
    refreshed = outputs["refresh"][0]
    with duckdb.connect(str(refreshed), read_only=True) as con:
        # the file is refresh.duckdb: its catalog names the schema apart
        items = dict(
            con.execute("select item, sha256 from refresh.refresh.fingerprints").fetchall()
        )
        invocation = con.execute("select invocation_id from marts.build_status").fetchone()[0]
    assert items.pop("build invocation") == invocation
    files = sorted(item for item in items if item.startswith("file "))
    # from the dbt graph: the sources upstream of the catchment models, not offences
    assert "file schools.csv" in files and "file lsoa_population.csv" in files
    assert not [item for item in files if "offence" in item]
    assert all(len(digest) == 64 for digest in items.values())


def test_a_changed_school_makes_the_refresh_build_everything(days):
    *_, outputs = days
    changed, output = outputs["school_changed"]
    assert (
        "refresh: building everything, catchments too: what the catchments are built from "
        "has changed: file schools.csv" in output
    )
    assert built_catchment_models(output) == CATCHMENT_MODELS
    # the same selection and nodes as the full rebuild: a full build, not a partial one
    assert build_status(changed) == build_status(outputs["rebuilt"][0])
    assert build_status(changed)[1] == "all"


def test_the_refresh_prints_and_logs_no_person_value(days):
    world, key, next_day, outputs = days
    new_people = set()
    old = (world.raw_dir / "offence_persons.csv").read_text(encoding="utf-8")
    new = (next_day / "offence_persons.csv").read_text(encoding="utf-8")
    for line in new[len(old) :].splitlines():
        new_people.add(line.split(",")[1])
    assert new_people
    for name, (db, output) in outputs.items():
        logged = db.with_name(f"{name}.runs.jsonl").read_text()
        leaked = [ref for ref in new_people if ref in output or ref in logged]
        assert not leaked, f"{len(leaked)} person reference(s) in the output of {name}"
        assert key not in output and key not in logged
