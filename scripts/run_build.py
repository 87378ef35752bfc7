#!/usr/bin/env python3
"""Build the database into a new file and publish it only when the build is complete.

    python scripts/run_build.py --raw-dir /secure/extract --db /secure/exposure.duckdb
    python scripts/run_build.py --vars '{analysis_start: 2023-04-01, analysis_end: 2024-03-31}'

`make run` (a force's extract) and `make build` (the demo) call this. It runs `dbt build`
into `<db>.building`; only when every model and test has passed does it replace `<db>` with
the new file (an atomic rename), so a BI or GIS tool reading `<db>` sees the previous
complete build until the new one is whole, never a mix of new staging and old marts. A build
that fails or is interrupted leaves `<db>` as it was. A program holding `<db>` open does not
stop the build: on this operating system the rename leaves it reading the old file until it
reconnects.

The documented real-extract run leaves out the project's unit tests (they test the code on
fixed inputs; CI and `make test` run them): `--unit-tests` puts them back. The force's
pseudonymisation key comes from the environment as for any dbt run (README).

Run routinely (README, "Running it routinely"), each build carries the published file's
`history` schema (the dbt snapshots of the ranks and area flags) into the new file, prints
what changed since the previous build (counts only, never a name) and appends a line to the
run log `<db stem>.runs.jsonl` beside the database. `--check-freshness` first runs
`dbt source freshness` and builds nothing when the offence extract is stale (exit 3).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

SCRIPTS = Path(__file__).resolve().parent
PROJECT = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

from compact_database import compact, quoted  # noqa: E402
from dbt_runner import dbt_environment, run_dbt  # noqa: E402
from school_exposure_plugin import database_in_use_problem  # noqa: E402
from spatial_extension import load_spatial  # noqa: E402

TARGET = Path(os.environ.get("DBT_TARGET_PATH", PROJECT / "target"))


def say(message: str) -> None:
    print(f"[run_build] {message}", flush=True)


def dbt(args: list[str], db: Path, raw_dir: str | None) -> int:
    """dbt, its output on this console, into the database `db`."""
    return run_dbt(args, dbt_environment(db, raw_dir), capture=False).returncode


def remove_database(path: Path) -> None:
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)


def publish(building: Path, db: Path) -> None:
    """Put the finished file in place of the published one. The old file's write-ahead log,
    if a program left one, belongs to the old file and must not be replayed onto the new."""
    db.with_name(db.name + ".wal").unlink(missing_ok=True)
    os.replace(building, db)


def carry_history(db: Path, building: Path) -> None:
    """Copy the published file's snapshots (schema history) into the new file, so that
    the snapshots see every build. A problem is a warning: the build then starts history
    afresh and its change summary is empty."""
    if not db.exists():
        say("no published database yet: the change history starts with this build")
        return
    try:
        con = duckdb.connect(str(building))
        load_spatial(con)
        con.execute(f"attach '{quoted(db)}' as published (read_only)")
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables()"
                " where database_name = 'published' and schema_name = 'history'"
            ).fetchall()
        ]
        con.execute("create schema if not exists history")
        for table in tables:
            con.execute(f"create table history.{table} as from published.history.{table}")
        con.execute("detach published")
        con.close()
        say(f"carried {len(tables)} history table(s) from {db}")
    except duckdb.Error as exc:
        say(
            f"warning: could not carry the history from {db} ({exc.__class__.__name__}); "
            "the change summary starts afresh"
        )


def duckdb_now() -> str:
    """Now on the clock dbt-duckdb's snapshots use (DuckDB's now() as a local timestamp)."""
    with duckdb.connect() as con:
        return str(con.execute("select now()::timestamp").fetchone()[0])


def changes_since_last_run(db: Path, started: str) -> dict:
    """Counts of what changed, from the published file: schools entering or leaving the top
    N (and how many of those moves are beyond the rank interval), and area flags that
    flipped. Counts only: the named schools are in marts.fct_priority_list_changes."""
    with duckdb.connect(str(db), read_only=True) as con:
        entered, left, beyond = con.execute(
            "select count(*) filter (list_change like 'entered%'),"
            " count(*) filter (list_change like 'left%'),"
            " count(*) filter (is_beyond_interval)"
            " from marts.fct_priority_list_changes"
        ).fetchone()
        flags = con.execute(
            f"""
            with versions as (from history.snap_area_violence_flags),
            previous as (
                from versions
                where dbt_valid_from < timestamp '{started}'
                    and (dbt_valid_to is null or dbt_valid_to >= timestamp '{started}')
            ),
            current as (from versions where dbt_valid_to is null)
            select
                count(*) filter (
                    current.is_high_violence is distinct from previous.is_high_violence),
                count(*) filter (
                    current.is_high_youth_violence
                    is distinct from previous.is_high_youth_violence)
            from previous join current using (area_level, area_code)
            """
        ).fetchone()
    return {
        "schools_entered_top_n": entered,
        "schools_left_top_n": left,
        "moves_beyond_rank_interval": beyond,
        "areas_high_violence_flag_changed": flags[0],
        "areas_high_youth_violence_flag_changed": flags[1],
    }


def forget_artifact(name: str) -> None:
    """Remove an earlier invocation's artifact before dbt runs, so that a dbt that stops
    before writing its own is not read as if it had passed."""
    (TARGET / name).unlink(missing_ok=True)


def node_counts() -> dict:
    """Status counts of the last dbt invocation (its run_results.json)."""
    try:
        results = json.loads((TARGET / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return {}
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    return counts


def holds_police_uk_files_only(raw_dir: str | None) -> bool:
    """Open-data mode: police.uk files (macro police_uk_glob) and no force extract."""
    folder = PROJECT / (raw_dir or os.environ.get("SCHOOL_EXPOSURE_RAW_DIR") or "data/raw")
    return not (folder / "offences.csv").exists() and any(folder.glob("police_uk/*-street.csv"))


def check_freshness(db: Path, raw_dir: str | None) -> str:
    """`dbt source freshness` on the offence extract: pass, warn, error or runtime error.
    police.uk files have months, not recording times, and are published about two months
    behind: the check does not apply to them."""
    if holds_police_uk_files_only(raw_dir):
        return "not applicable (police.uk files)"
    forget_artifact("sources.json")
    dbt(["source", "freshness"], db, raw_dir)
    try:
        results = json.loads((TARGET / "sources.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return "runtime error"
    statuses = [result["status"] for result in results]
    if not statuses:
        # dbt stopped before the check (a missing file, a project error): not a pass
        return "runtime error"
    for worst in ("runtime error", "error", "warn"):
        if worst in statuses:
            return worst
    return "pass"


def log_run(db: Path, entry: dict) -> None:
    """Append one JSON line to the run log beside the database."""
    log = db.with_name(db.stem + ".runs.jsonl")
    with log.open("a") as handle:
        handle.write(json.dumps(entry, default=str) + "\n")
    say(f"run logged in {log}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="The published file is replaced only by a complete build; see the README.",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=Path(os.environ.get("SCHOOL_EXPOSURE_DB", "data/school_exposure.duckdb")),
        help="the database to publish (default: SCHOOL_EXPOSURE_DB, else "
        "data/school_exposure.duckdb)",
    )
    parser.add_argument(
        "--raw-dir", help="the extract folder (default: SCHOOL_EXPOSURE_RAW_DIR, else data/raw)"
    )
    parser.add_argument("--vars", help="dbt vars as YAML, e.g. '{analysis_months: 24}'")
    parser.add_argument(
        "--drop-person-level",
        action="store_true",
        help="drop every person-level table once the tests have run, and "
        "compact the file so that none of their bytes remain",
    )
    parser.add_argument(
        "--unit-tests",
        action="store_true",
        help="run the project's unit tests too (as make build and CI do)",
    )
    parser.add_argument("--fail-fast", action="store_true", help="stop at the first failure")
    parser.add_argument(
        "--check-freshness",
        action="store_true",
        help="run dbt source freshness first: build nothing (exit 3) when the latest "
        "recorded_at of offences.csv is over 7 days old, warn when over 2",
    )
    parser.add_argument(
        "--docs", action="store_true", help="then generate the dbt docs into target/"
    )
    args = parser.parse_args(argv)

    db = args.db
    building = db.with_name(db.name + ".building")
    db.parent.mkdir(parents=True, exist_ok=True)
    if building.exists():
        problem = database_in_use_problem(str(building))
        if problem:
            say(f"another build is running into {building}: {problem}")
            return 2
    remove_database(building)

    command = ["build"]
    if not args.unit_tests:
        command += ["--exclude-resource-type", "unit_test"]
    if args.fail_fast:
        command.append("--fail-fast")
    try:
        variables = yaml.safe_load(args.vars) if args.vars else {}
    except yaml.YAMLError as exc:
        say(
            f"--vars is not YAML ({exc.__class__.__name__}): give a mapping such as "
            "'{analysis_months: 24}'"
        )
        return 2
    if not isinstance(variables, dict):
        say("--vars must be a mapping such as '{analysis_months: 24}'")
        return 2
    if args.drop_person_level:
        variables["drop_person_level_tables"] = True
    if variables:
        command += ["--vars", json.dumps(variables, default=str)]

    started = time.monotonic()
    entry: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": str(db),
        "vars": variables,
    }
    if args.check_freshness:
        # into the scratch file: a stale extract must not touch (or create) <db>
        entry["freshness"] = check_freshness(building, args.raw_dir)
        remove_database(building)
        say(f"source freshness of offences.csv: {entry['freshness']}")
        if entry["freshness"] in ("error", "runtime error"):
            say(f"the offence extract is stale or unreadable: nothing built, {db} unchanged")
            log_run(db, {**entry, "outcome": "stale extract", "seconds": 0})
            return 3
    carry_history(db, building)
    snapshot_clock = duckdb_now()
    say(f"building into {building} (the published {db} is untouched until this ends)")
    forget_artifact("run_results.json")
    if dbt(command, building, args.raw_dir) != 0:
        remove_database(building)
        say(
            f"the build failed (see the messages above); {db} still holds the previous "
            "complete build, if there was one"
        )
        log_run(
            db,
            {
                **entry,
                "outcome": "failed",
                "seconds": round(time.monotonic() - started, 1),
                "nodes": node_counts(),
            },
        )
        return 1
    entry["nodes"] = node_counts()
    if args.drop_person_level:
        say("compacting the file so that no dropped person-level page remains")
        compact(building)
    publish(building, db)
    seconds = round(time.monotonic() - started, 1)
    say(f"published {db} after {seconds:.0f} s")
    changes = changes_since_last_run(db, snapshot_clock)
    say(
        f"since the previous build: {changes['schools_entered_top_n']} school(s) entered and "
        f"{changes['schools_left_top_n']} left the top priority_top_n, "
        f"{changes['moves_beyond_rank_interval']} of those moves beyond the rank interval "
        "(marts.fct_priority_list_changes names them, for the VRU); "
        f"{changes['areas_high_violence_flag_changed']} area(s) changed their high-violence "
        f"flag, {changes['areas_high_youth_violence_flag_changed']} their youth flag"
    )
    log_run(db, {**entry, "outcome": "published", "seconds": seconds, "changes": changes})
    if args.docs:
        say("generating the docs into target/")
        if dbt(["docs", "generate"], db, args.raw_dir) != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
