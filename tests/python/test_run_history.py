"""Running it routinely: each build through run_build.py carries the snapshots of the
published ranks and area flags forward, marts.fct_priority_list_changes names the schools
that entered or left the top priority_top_n since the previous build, the run log keeps one
line per run, and --check-freshness builds nothing on a stale offence extract."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from datetime import UTC, datetime, timedelta

import duckdb
import pytest
import yaml

from conftest import PROJECT_DIR, Build, dbt_env, project_vars, run_dbt, run_script

# The second build weights the offender measure heavily: the same data, a different list.
CHANGED_WEIGHTS = {
    "priority_weights": {
        "exposure_violence_rate": 0.1,
        "pupils_from_high_violence_areas": 0.1,
        "school_aged_violent_offenders_per_1000_pupils": 0.7,
        "near_school_commute_violence": 0.1,
    }
}


def run_build(args, env):
    return run_script("run_build.py", args, env)


def ranks(db) -> dict[int, tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select urn, priority_rank, priority_rank_lower, priority_rank_upper"
            " from marts.fct_school_exposure"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.fixture(scope="module")
def two_runs(built: Build, tmp_path_factory):
    work = tmp_path_factory.mktemp("routine")
    db = work / "exposure.duckdb"
    env = dbt_env(built.world.raw_dir, db, built.key)
    first = run_build(["--db", str(db), "--raw-dir", str(built.world.raw_dir)], env)
    assert first.returncode == 0, (first.stdout + first.stderr)[-4000:]
    first_ranks = ranks(db)
    second = run_build(
        [
            "--db",
            str(db),
            "--raw-dir",
            str(built.world.raw_dir),
            "--vars",
            json.dumps(CHANGED_WEIGHTS),
        ],
        env,
    )
    assert second.returncode == 0, (second.stdout + second.stderr)[-4000:]
    return db, first_ranks, ranks(db), second.stdout


def test_the_history_is_carried_from_build_to_build(two_runs):
    db, first_ranks, _, _ = two_runs
    with duckdb.connect(str(db), read_only=True) as con:
        versions = con.execute(
            "select count(*), count(distinct urn) from history.snap_school_priority_ranks"
        ).fetchone()
        areas = con.execute("select count(*) from history.snap_area_violence_flags").fetchone()
    # every school of the first build has a version, and changed ranks have a second
    assert versions[1] >= len(first_ranks)
    assert versions[0] > versions[1]
    assert areas[0] > 0


def test_the_list_changes_are_those_between_the_two_builds(two_runs):
    db, first_ranks, second_ranks, _ = two_runs
    top_n = project_vars()["priority_top_n"]
    was_top = {urn for urn, rank in first_ranks.items() if rank[0] <= top_n}
    is_top = {urn for urn, rank in second_ranks.items() if rank[0] <= top_n}
    assert was_top != is_top, "the changed weights should change the list"
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select urn, list_change, previous_priority_rank, priority_rank,"
            " priority_rank_lower, priority_rank_upper, is_beyond_interval"
            " from marts.fct_priority_list_changes"
        ).fetchall()
    entered = {row[0] for row in rows if row[1].startswith("entered")}
    left = {row[0] for row in rows if row[1].startswith("left")}
    assert entered == is_top - was_top
    assert left == was_top - is_top
    for urn, _, previous, current, lower, upper, beyond in rows:
        assert previous == first_ranks[urn][0] and current == second_ranks[urn][0]
        assert beyond == (not lower <= previous <= upper)


def test_each_run_is_logged_with_its_change_counts_and_no_name(two_runs):
    db, _, _, stdout = two_runs
    lines = [
        json.loads(line)
        for line in db.with_name("exposure.runs.jsonl").read_text().split("\n")
        if line
    ]
    assert [line["outcome"] for line in lines] == ["published", "published"]
    assert lines[0]["changes"]["schools_entered_top_n"] == 0
    with duckdb.connect(str(db), read_only=True) as con:
        entered, names = con.execute(
            "select count(*) filter (list_change like 'entered%'), list(school_name)"
            " from marts.fct_priority_list_changes"
        ).fetchone()
    assert lines[1]["changes"]["schools_entered_top_n"] == entered > 0
    assert lines[1]["vars"] == CHANGED_WEIGHTS and lines[1]["nodes"].get("error", 0) == 0
    assert f"{entered} school(s) entered" in stdout
    logged = db.with_name("exposure.runs.jsonl").read_text()
    assert not [name for name in names if name in logged or name in stdout]


def test_the_vru_report_lists_the_changes_and_the_public_one_does_not(two_runs, tmp_path):
    db, _, _, _ = two_runs
    out = tmp_path / "report"
    rendered = run_script("report.py", ["--db", str(db), "--out", str(out)])
    assert rendered.returncode == 0, rendered.stderr[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        changes = con.execute(
            "select school_name, is_beyond_interval from marts.fct_priority_list_changes"
        ).fetchall()
    vru = (out / "vru.html").read_text(encoding="utf-8")
    changes_part = vru.split('<section id="changes">')[1].split("</section>")[0]
    body_rows = changes_part.split("<tbody>")[1].count("<tr>")
    assert body_rows == len(changes) > 0
    for name, _ in changes:
        assert html.escape(name) in changes_part
    beyond = sum(bool(flag) for _, flag in changes)
    assert f"{beyond} of these moves go beyond" in changes_part
    assert 'id="changes"' not in (out / "public.html").read_text(encoding="utf-8")


def offences_recorded(raw_dir, recorded: list[datetime]) -> None:
    """Rewrite offences.csv with one row per timestamp (the first row's other values)."""
    path = raw_dir / "offences.csv"
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        header, template = reader.fieldnames, next(reader)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        for number, moment in enumerate(recorded):
            stamp = moment.strftime("%Y-%m-%d %H:%M")
            writer.writerow(
                {
                    **template,
                    "crime_ref": f"F{number}",
                    "committed_from": stamp,
                    "recorded_at": stamp,
                }
            )


@pytest.mark.parametrize(
    ("ages_in_days", "status"),
    [([0.1, -30], "pass"), ([3, 40], "warn"), ([8, -1], "error")],
    ids=["hours old, one in the future", "three days", "eight days, one in the future"],
)
def test_freshness_is_the_latest_recorded_at_not_in_the_future(
    built: Build, tmp_path, ages_in_days, status
):
    raw = tmp_path / "raw"
    shutil.copytree(built.world.raw_dir, raw)
    # recorded_at has no zone; dbt's freshness reads it as UTC
    now = datetime.now(UTC).replace(tzinfo=None)
    offences_recorded(raw, [now - timedelta(days=age) for age in ages_in_days])
    env = dbt_env(raw, tmp_path / "f.duckdb", built.key)
    run_dbt(["source", "freshness"], env, tmp_path / "target", tmp_path / "logs")
    results = json.loads((tmp_path / "target" / "sources.json").read_text())["results"]
    assert [result["status"] for result in results] == [status]


def test_a_stale_extract_builds_nothing(built: Build, tmp_path):
    # the fixture world's offences end years before today
    db = tmp_path / "stale.duckdb"
    env = dbt_env(built.world.raw_dir, db, built.key)
    result = run_build(["--db", str(db), "--check-freshness"], env)
    output = result.stdout + result.stderr
    assert result.returncode == 3, output[-3000:]
    assert "nothing built" in output and not db.exists()
    line = json.loads(db.with_name("stale.runs.jsonl").read_text())
    assert line["outcome"] == "stale extract" and line["freshness"] == "error"


def test_freshness_reads_recorded_at_as_staging_does():
    """The source's loaded_at_field writes out macro parse_timestamp (a source config cannot
    call a macro): a timestamp staging rejects (a date alone, another layout) must not make
    a stale extract look fresh."""
    macro = (PROJECT_DIR / "macros/parsing/parse_values.sql").read_text(encoding="utf-8")
    body = re.search(r"macro parse_timestamp.*?endmacro", macro, re.DOTALL).group(0)
    patterns = re.findall(r"'([^']+)'", body)
    assert len(patterns) >= 3  # local time, with an offset from UTC, the rewrite for seconds
    sources = yaml.safe_load(
        (PROJECT_DIR / "models/staging/police/_police__sources.yml").read_text(encoding="utf-8")
    )
    offences = next(t for t in sources["sources"][0]["tables"] if t["name"] == "offences")
    for pattern in patterns:
        assert f"'{pattern}'" in offences["config"]["loaded_at_field"], pattern


def test_a_freshness_check_that_cannot_run_is_not_a_pass(built: Build, tmp_path):
    """A freshness check that cannot run (no offences.csv) is not taken for the previous
    run's pass left in the target folder."""
    raw = tmp_path / "raw"
    shutil.copytree(built.world.raw_dir, raw)
    (raw / "offences.csv").unlink()
    target = tmp_path / "target"
    target.mkdir()
    (target / "sources.json").write_text(json.dumps({"results": [{"status": "pass"}]}))
    db = tmp_path / "x.duckdb"
    env = dict(dbt_env(raw, db, built.key), DBT_TARGET_PATH=str(target))
    result = run_build(["--db", str(db), "--check-freshness"], env)
    assert result.returncode == 3, (result.stdout + result.stderr)[-3000:]
    line = json.loads(db.with_name("x.runs.jsonl").read_text())
    assert line["freshness"] != "pass" and not db.exists()


def test_freshness_does_not_apply_to_police_uk_files(tmp_path):
    """Open-data mode: police.uk gives months, not recording times, so a routine run with
    --check-freshness builds them rather than calling them stale."""
    import run_build as script  # noqa: PLC0415  (scripts/ is on the path in conftest)

    (tmp_path / "police_uk").mkdir()
    (tmp_path / "police_uk" / "2014-01-west-midlands-street.csv").write_text("Crime ID\n")
    assert script.check_freshness(tmp_path / "x.duckdb", str(tmp_path)).startswith("not applicable")
    (tmp_path / "offences.csv").write_text("crime_ref\n")
    assert script.holds_police_uk_files_only(str(tmp_path)) is False


def test_no_extract_folder_or_no_key_stops_before_the_build(world, tmp_path):
    """An extract folder that does not exist, or a person file without a usable key, is said
    at once (exit 2), not by dbt a minute into the build after 100 to 450 nodes."""
    db = tmp_path / "school_exposure.duckdb"
    absent = tmp_path / "no such folder"
    result = run_build(["--db", str(db), "--raw-dir", str(absent)], dbt_env(absent, db, "k" * 64))
    output = result.stdout + result.stderr
    assert result.returncode == 2, output[-3000:]
    assert f"the extract folder {absent} does not exist" in output
    for key_file, message in [(None, "No pseudonymisation key"), ("/no/key", "does not exist")]:
        env = dbt_env(world.raw_dir, db, None)
        if key_file:
            env["SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY_FILE"] = key_file
        result = run_build(["--db", str(db), "--raw-dir", str(world.raw_dir)], env)
        output = result.stdout + result.stderr
        assert result.returncode == 2, output[-3000:]
        assert message in output and "nothing built" in output
        assert "Done." not in output  # dbt never started
    assert not db.exists()
