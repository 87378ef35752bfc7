"""Publishing the database: a build never leaves a half-built file for BI tools to read, a
database held open by another program is a plain message, and marts.build_status says what
the file holds."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from conftest import Build, dbt_env, run_dbt, run_script


def run_build(args, env):
    return run_script("run_build.py", args, env)


def test_a_failed_build_leaves_the_published_database_as_it_was(built: Build, tmp_path):
    published = tmp_path / "published.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create table previous_build as select 42 as answer")
    raw = tmp_path / "raw"
    raw.mkdir()  # no extract files: the build fails at once
    env = dbt_env(raw, published, built.key)
    result = run_build(["--db", str(published), "--raw-dir", str(raw)], env)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert "still holds the previous complete build" in output
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select answer from previous_build").fetchone() == (42,)
    assert not (tmp_path / "published.duckdb.building").exists()


def test_a_complete_build_replaces_the_published_database(built: Build, tmp_path):
    """run_build.py publishes only a complete build; marts.build_status says complete."""
    published = tmp_path / "published.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create table previous_build as select 42 as answer")
    env = dbt_env(built.world.raw_dir, published, built.key)
    result = run_build(
        [
            "--db",
            str(published),
            "--raw-dir",
            str(built.world.raw_dir),
            "--vars",
            "{analysis_start: 2023-01-01, analysis_end: 2023-12-31}",
        ],
        env,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    with duckdb.connect(str(published), read_only=True) as con:
        tables = {
            row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()
        }
        status = con.execute("select status, command, selection from marts.build_status").fetchone()
        window = con.execute(
            "select window_start_date, window_end_date from intermediate.int_analysis_window"
        ).fetchone()
    assert "previous_build" not in tables and "fct_school_exposure" in tables
    assert status == ("complete", "build", "all")
    assert [str(day) for day in window] == ["2023-01-01", "2023-12-31"]


def test_the_built_database_says_it_is_complete(built: Build):
    con = built.connect()
    assert con.execute("select status from marts.build_status").fetchone() == ("complete",)


def test_a_database_held_open_elsewhere_is_a_plain_message(built: Build, tmp_path):
    db = tmp_path / "held.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('held', flush=True);"
            " time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = run_dbt(
            ["run", "--select", "stg_vru__vru_schools"],
            dbt_env(built.world.raw_dir, db, built.key),
            tmp_path / "target",
            tmp_path / "logs",
        )
    finally:
        holder.kill()
        holder.wait()
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "is open in another program" in output and "make run" in output
    assert "Traceback (most recent call last)" not in output
