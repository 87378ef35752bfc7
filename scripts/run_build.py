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

`--refresh` (README, "Refresh") starts from the published build: when everything the
catchments are built from (the files of schools, boundaries, lookup, population and pupil
residence, the seeds, the code and the vars they read: scripts/build_fingerprint.py) is
byte-identical to what the published build recorded in refresh.fingerprints, it starts from
a copy of the published file, keeps its catchment tables and rebuilds everything else (a file
copy takes seconds; copying the catchment tables one by one took minutes); otherwise,
or when unsure (no fingerprint, a file built in place since), it builds everything and says
why. Every build records its fingerprint for the next refresh.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

SCRIPTS = Path(__file__).resolve().parent
PROJECT = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

import build_fingerprint  # noqa: E402
from compact_database import compact, quoted  # noqa: E402
from compare_marts import quoted as identifier  # noqa: E402
from dbt_runner import dbt_environment, run_dbt  # noqa: E402
from school_exposure_plugin import (  # noqa: E402
    database_in_use_problem,
    pseudonymisation_key_problem,
)
from spatial_extension import load_spatial  # noqa: E402

TARGET = Path(os.environ.get("DBT_TARGET_PATH", PROJECT / "target"))


def say(message: str) -> None:
    print(f"[run_build] {message}", flush=True)


REUSED_MODELS_VARIABLE = "SCHOOL_EXPOSURE_REUSED_FROM_PUBLISHED"


def dbt(args: list[str], db: Path, raw_dir: str | None, reused: list[str] | None = None) -> int:
    """dbt, its output on this console, into the database `db`; `reused`: the models a
    refresh copied from the published build, for marts.build_status (macro build_selection),
    through the environment rather than a var, whose change makes dbt parse everything again."""
    env = dbt_environment(db, raw_dir)
    env[REUSED_MODELS_VARIABLE] = " ".join(reused or [])
    return run_dbt(args, env, capture=False).returncode


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


def quality_shortfalls(db: Path) -> list[str]:
    """The data-quality checks that missed their threshold (marts.fct_data_quality), one
    line each, in shares: the build's warnings about the data, said again where the analyst
    reads the end of the run rather than among its hundreds of lines."""
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            rows = con.execute(
                "select source, check_name, breakdown, share, threshold_kind, threshold"
                " from marts.fct_data_quality where not meets_threshold"
                " order by source, check_name, breakdown"
            ).fetchall()
    except duckdb.Error as exc:
        return [f"marts.fct_data_quality could not be read ({exc.__class__.__name__})"]
    return [
        f"{source} {check}{f' ({breakdown})' if breakdown else ''}: {share:.1%}, "
        f"against a {kind} of {threshold:.1%}"
        for source, check, breakdown, share, kind, threshold in rows
    ]


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


def raw_folder(raw_dir: str | None, variables: dict) -> Path:
    """The extract folder as dbt resolves it (macro raw_dir), from the project folder."""
    chosen = (
        variables.get("raw_dir")
        or raw_dir
        or os.environ.get("SCHOOL_EXPOSURE_RAW_DIR")
        or "data/raw"
    )
    return PROJECT / chosen


def inputs_problem(folder: Path) -> str | None:
    """What stops a build before it starts, said at once rather than a minute into it: no
    extract folder, or a person file without a usable pseudonymisation key."""
    if not folder.is_dir():
        return (
            f"the extract folder {folder} does not exist or is not a folder (--raw-dir, else"
            " SCHOOL_EXPOSURE_RAW_DIR, else data/raw): point it at the folder that holds"
            " offences.csv and the other files ../shared/extract-contract.md names"
        )
    if any(folder.glob("offence_persons.csv*")):
        return pseudonymisation_key_problem()
    return None


def resolved_vars(variables: dict) -> dict:
    """dbt_project.yml's vars with --vars over them, as the build sees them."""
    with open(PROJECT / "dbt_project.yml", encoding="utf-8") as handle:
        return {**(yaml.safe_load(handle).get("vars") or {}), **variables}


def read_manifest() -> dict | None:
    try:
        return json.loads((TARGET / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def table_of(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    """schema.table in the connection's own file, named with its catalog so that a file
    named like a schema (refresh.duckdb, marts.duckdb) cannot be mistaken for it."""
    catalog = con.execute("select current_database()").fetchone()[0]
    return f"{identifier(catalog)}.{identifier(schema)}.{identifier(table)}"


def fingerprints(con: duckdb.DuckDBPyConnection) -> str:
    return table_of(con, build_fingerprint.SCHEMA, build_fingerprint.TABLE)


def published_fingerprint(db: Path) -> tuple[dict[str, str] | None, str]:
    """The fingerprint recorded in the published file, or None and why it cannot be used."""
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            recorded = con.execute(
                "select count(*) from duckdb_tables()"
                " where database_name = current_database()"
                f" and schema_name = '{build_fingerprint.SCHEMA}'"
                f" and table_name = '{build_fingerprint.TABLE}'"
            ).fetchone()[0]
            if not recorded:
                return None, "the published build recorded no fingerprint of its inputs"
            items = dict(con.execute(f"select item, sha256 from {fingerprints(con)}").fetchall())
            status = con.execute(
                f"select status, invocation_id from {table_of(con, 'marts', 'build_status')}"
            ).fetchall()
    except duckdb.Error as exc:
        return None, f"the published file could not be read ({exc.__class__.__name__})"
    if len(status) != 1 or status[0][0] != "complete":
        return None, "the published file is not a complete build"
    if items.pop("build invocation", None) != status[0][1]:
        return None, (
            "the published file was rebuilt after its fingerprint was recorded (dbt run in place?)"
        )
    return items, ""


def plan_refresh(
    db: Path, building: Path, raw_dir: str | None, variables: dict
) -> tuple[list[dict], str, dict[str, str]]:
    """The catchment models to copy from the published file (none: build everything), why,
    and the fingerprint they were found with. The project is parsed with the profile the
    build will use (its database is the new file, `building`): dbt parses everything again
    when the profile changes, which it did twice per refresh (5 s each at scale 1)."""
    if not db.exists():
        return [], f"no published database at {db}", {}
    previous, problem = published_fingerprint(db)
    if previous is None:
        return [], problem, {}
    forget_artifact("manifest.json")
    dbt_vars = ["--vars", json.dumps(variables, default=str)] if variables else []
    parsed = dbt(["parse", "--quiet", *dbt_vars], building, raw_dir)
    remove_database(building)  # nothing should be there, as dbt parse opens no database
    if parsed != 0 or not (manifest := read_manifest()):
        return [], "dbt could not parse the project (the build will say why)", {}
    current = build_fingerprint.fingerprint(
        manifest, raw_folder(raw_dir, variables), resolved_vars(variables)
    )
    changed = build_fingerprint.differences(previous, current)
    if changed:
        shown = ", ".join(changed[:6]) + (
            f" and {len(changed) - 6} more" if len(changed) > 6 else ""
        )
        return [], f"what the catchments are built from has changed: {shown}", {}
    models = build_fingerprint.reusable_models(manifest)
    not_tables = [m["name"] for m in models if m["config"].get("materialized") != "table"]
    if not_tables:
        return [], f"only tables can be reused, and {', '.join(not_tables)} are not", {}
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            present = {
                (row[0], row[1])
                for row in con.execute(
                    "select schema_name, table_name from duckdb_tables()"
                ).fetchall()
            }
    except duckdb.Error as exc:
        return [], f"the published file could not be read ({exc.__class__.__name__})", {}
    missing = [m["name"] for m in models if (m["schema"], m["alias"]) not in present]
    if missing:
        return [], f"the published file lacks {', '.join(missing)}", {}
    return (
        models,
        "the schools, boundaries, lookup, population, pupil residence, seeds, code and vars "
        f"the catchments are built from are unchanged ({len(current)} fingerprints equal)",
        current,
    )


def start_from_published(db: Path, building: Path) -> bool:
    """Make the new file a copy of the published one: its catchment tables are reused, its
    history carried, and dbt replaces every other table. Only a checkpointed file is copied:
    a write-ahead log beside it means a program wrote to it since it was published."""
    if db.with_name(db.name + ".wal").exists():
        say(f"{db} has a write-ahead log beside it (a program wrote to it since it was published)")
        return False
    try:
        shutil.copyfile(db, building)
    except OSError as exc:
        remove_database(building)
        say(f"could not copy {db} ({exc.__class__.__name__}: {exc.strerror})")
        return False
    return True


def record_fingerprint(
    building: Path, raw_dir: str | None, variables: dict, since: float
) -> dict[str, str] | None:
    """Write the fingerprint of what this build's catchments were built from into the new
    file (table refresh.fingerprints), for the next refresh. None, and nothing recorded,
    when an input file changed while the build ran."""
    manifest = read_manifest()
    if manifest is None:
        say(
            "warning: no manifest from the build: no fingerprint recorded, the next refresh "
            "builds everything"
        )
        return None
    folder = raw_folder(raw_dir, variables)
    items = build_fingerprint.fingerprint(manifest, folder, resolved_vars(variables))
    touched = [
        name
        for name in items
        if name.startswith("file ")
        and (folder / name[5:]).exists()
        and (folder / name[5:]).stat().st_mtime >= since
    ]
    if touched:
        say(
            f"warning: {', '.join(touched)} changed during the build: no fingerprint "
            "recorded, the next refresh builds everything"
        )
        return None
    try:
        with duckdb.connect(str(building)) as con:
            invocation = con.execute(
                f"select invocation_id from {table_of(con, 'marts', 'build_status')}"
            ).fetchone()
            catalog = con.execute("select current_database()").fetchone()[0]
            con.execute(
                f"create schema if not exists {identifier(catalog)}."
                f"{identifier(build_fingerprint.SCHEMA)}"
            )
            con.execute(
                f"create or replace table {fingerprints(con)} (item varchar, sha256 varchar)"
            )
            con.executemany(
                f"insert into {fingerprints(con)} values (?, ?)",
                sorted({**items, "build invocation": invocation[0]}.items()),
            )
    except (duckdb.Error, TypeError) as exc:
        say(
            f"warning: the fingerprint could not be recorded ({exc.__class__.__name__}): the "
            "next refresh builds everything"
        )
        return None
    return items


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
        "--refresh",
        action="store_true",
        help="start from the published build: reuse its catchments when everything they "
        "are built from is unchanged (refresh.fingerprints), else build everything and "
        "say why",
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
    problem = inputs_problem(raw_folder(args.raw_dir, variables))
    if problem:
        say(f"{problem.rstrip('.')}; nothing built, {db} unchanged")
        return 2

    started = time.monotonic()
    wall_started = time.time()
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
    reused: list[dict] = []
    if args.refresh:
        reused, why, planned = plan_refresh(db, building, args.raw_dir, variables)
        if reused:
            catchments = sum(
                m["original_file_path"].startswith(build_fingerprint.REUSABLE_FOLDER)
                for m in reused
            )
            say(
                f"refresh: reusing the {catchments} catchment models and the "
                f"{len(reused) - catchments} models they are built from, of {db}: {why}"
            )
        else:
            say(f"refresh: building everything, catchments too: {why}")
        entry["refresh"] = {"reused_models": len(reused), "why": why}
    if reused and not start_from_published(db, building):
        say("refresh: building everything, catchments too")
        reused = []
        entry["refresh"] = {"reused_models": 0, "why": "the published file could not be copied"}
    if not reused:
        carry_history(db, building)
    if reused:
        names = [model["name"] for model in reused]
        command += ["--exclude", *names, "--indirect-selection", "cautious"]
    if variables:
        command += ["--vars", json.dumps(variables, default=str)]
    snapshot_clock = duckdb_now()
    say(f"building into {building} (the published {db} is untouched until this ends)")
    forget_artifact("run_results.json")
    forget_artifact("manifest.json")
    if dbt(command, building, args.raw_dir, [model["name"] for model in reused]) != 0:
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
    recorded = record_fingerprint(building, args.raw_dir, variables, wall_started)
    if reused and recorded != planned:
        remove_database(building)
        say(
            "what the catchments are built from changed while the refresh ran: nothing "
            f"published, {db} unchanged; run again"
        )
        log_run(db, {**entry, "outcome": "failed", "seconds": round(time.monotonic() - started, 1)})
        return 1
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
    shortfalls = quality_shortfalls(db)
    for shortfall in shortfalls:
        say(f"data quality below its threshold: {shortfall}")
    if shortfalls:
        say(
            "read marts.fct_data_quality and the tests' descriptions before any result "
            "(README, step 4)"
        )
    log_run(
        db,
        {
            **entry,
            "outcome": "published",
            "seconds": seconds,
            "changes": changes,
            "quality_below_threshold": len(shortfalls),
        },
    )
    if args.docs:
        say("generating the docs into target/")
        if dbt(["docs", "generate"], db, args.raw_dir) != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
