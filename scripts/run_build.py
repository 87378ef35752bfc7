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
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import yaml

SCRIPTS = Path(__file__).resolve().parent
PROJECT = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

from compact_database import compact  # noqa: E402
from dbt_runner import dbt_environment, run_dbt  # noqa: E402
from school_exposure_plugin import database_in_use_problem  # noqa: E402


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
    say(f"building into {building} (the published {db} is untouched until this ends)")
    if dbt(command, building, args.raw_dir) != 0:
        remove_database(building)
        say(
            f"the build failed (see the messages above); {db} still holds the previous "
            "complete build, if there was one"
        )
        return 1
    if args.drop_person_level:
        say("compacting the file so that no dropped person-level page remains")
        compact(building)
    publish(building, db)
    say(f"published {db} after {time.monotonic() - started:.0f} s")
    if args.docs:
        say("generating the docs into target/")
        if dbt(["docs", "generate"], db, args.raw_dir) != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
