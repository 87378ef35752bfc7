"""The documented real-extract run (`make run`, i.e. scripts/run_build.py) on real public West
Midlands files (../shared/open-data; skipped without them): it passes with the default window
and with window vars, and two runs on the same files publish identical marts.

The offences are the police.uk street crimes of January and February 2014 with a crime ID,
as a force-shaped offences.csv: month-precise dates (police.uk publishes only the month),
snapped points in BNG, every "Violence and sexual offences" crime as one violent Home Office
code (105A) and every other crime as one non-violent code (49); one victim per violent crime,
with no date of birth. So the youth, offender and commute measures are
unavailable, as they are on public data, and the window is the two months the data covers.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb
import pytest

from conftest import PROJECT_DIR, SCRIPTS_DIR, dbt_env
from spatial_extension import load_spatial
from test_real_geography import FILES, OPEN_DATA

MONTHS = ["2014-01", "2014-02"]
CRIME_FILES = [OPEN_DATA / "police_crime" / f"{month}-west-midlands-street.csv" for month in MONTHS]

pytestmark = pytest.mark.skipif(
    not all((OPEN_DATA / path).exists() for path in FILES.values())
    or not all(path.exists() for path in CRIME_FILES),
    reason=f"the open data is not at {OPEN_DATA}",
)


def write_real_extract(raw):
    for name, path in FILES.items():
        shutil.copyfile(OPEN_DATA / path, raw / name)
    con = duckdb.connect()
    load_spatial(con)
    files = ", ".join(f"'{path}'" for path in CRIME_FILES)
    con.execute(
        f"""
        create table crimes as
        select
            "Crime ID" as crime_ref,
            "Month" as month,
            "Crime type" = 'Violence and sexual offences' as is_violent,
            st_transform(
                st_point("Longitude", "Latitude"), 'EPSG:4326', 'EPSG:27700', always_xy := true
            ) as geom,
            row_number() over () as n
        from read_csv([{files}], union_by_name = true)
        where "Crime ID" is not null and "Longitude" is not null
        """
    )
    con.execute(
        f"""
        copy (
            select
                crime_ref,
                case when is_violent then '105A' else '49' end as ho_offence_code,
                month || '-01 00:00' as committed_from,
                month || '-01 00:00' as recorded_at,
                round(st_x(geom)) as easting,
                round(st_y(geom)) as northing
            from crimes order by n
        ) to '{raw / "offences.csv"}' (header)
        """
    )
    con.execute(
        f"""
        copy (
            select crime_ref, 'R' || n as person_ref, 'VICTIM' as role
            from crimes where is_violent order by n
        ) to '{raw / "offence_persons.csv"}' (header)
        """
    )
    con.close()


def run_build(raw, db, extra=()):
    env = dbt_env(raw, db, "r" * 64)
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPTS_DIR / "run_build.py"),
            "--db",
            str(db),
            "--raw-dir",
            str(raw),
            *extra,
        ],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def real_runs(tmp_path_factory):
    work = tmp_path_factory.mktemp("real_run")
    raw = work / "raw"
    raw.mkdir()
    write_real_extract(raw)
    runs = {}
    for name, extra in [
        ("first", ()),
        ("second", ()),
        ("january", ("--vars", "{analysis_start: 2014-01-01, analysis_end: 2014-01-31}")),
    ]:
        db = work / f"{name}.duckdb"
        result = run_build(raw, db, extra)
        runs[name] = (result, result.stdout + result.stderr, db)
    return runs


@pytest.mark.parametrize("name", ["first", "january"])
def test_the_documented_run_passes_on_real_files(real_runs, name):
    result, output, db = real_runs[name]
    assert result.returncode == 0, output[-5000:]
    with duckdb.connect(str(db), read_only=True) as con:
        status = con.execute("select status from marts.build_status").fetchone()[0]
        window = con.execute(
            "select window_start_date, window_end_date from intermediate.int_analysis_window"
        ).fetchone()
        schools = con.execute("select count(*) from marts.fct_school_exposure").fetchone()[0]
        unavailable = {
            row[0]
            for row in con.execute(
                "select measure from marts.dim_priority_measures where not is_available"
            ).fetchall()
        }
    print(f"\nreal run {name}: window {window[0]} to {window[1]}, {schools} schools ranked")
    assert status == "complete"
    expected_end = "2014-02-28" if name == "first" else "2014-01-31"
    assert [str(day) for day in window] == ["2014-01-01", expected_end]
    assert schools > 1000
    assert unavailable == {
        "school_aged_violent_offenders_per_1000_pupils",
        "near_school_commute_violence",
    }


def test_two_runs_on_the_same_real_files_publish_identical_marts(real_runs):
    (_, _, first), (_, _, second) = real_runs["first"], real_runs["second"]
    con = duckdb.connect()
    con.execute(f"attach '{first}' as a (read_only)")
    con.execute(f"attach '{second}' as b (read_only)")
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = 'a'"
            " and schema_name = 'marts' and table_name != 'build_status'"
        ).fetchall()
    ]
    assert "fct_school_exposure" in tables
    for table in tables:
        a = con.execute(f"select * from a.marts.{table}").fetchall()
        b = con.execute(f"select * from b.marts.{table}").fetchall()
        assert a == b, f"{table} differs between two runs on the same files"
    same_ranks = con.execute(
        "select count(*) from a.marts.fct_school_exposure x"
        " join b.marts.fct_school_exposure y using (urn)"
        " where x.priority_rank = y.priority_rank"
    ).fetchone()[0]
    print(f"\nsame priority_rank on both runs: {same_ranks} of {len(a)} schools")
