"""What the scripts that score a build against the synthetic ground truth share: the command
line (`--db`, `--truth`), opening the built database with a plain error for a user mistake
(no database, no truth file) instead of a traceback, and the SQL they run: the analyses in
analyses/evaluation/, which name the models by ref() and are rendered by `dbt compile`.

Only synthetic data has a truth to compare with: a real extract has none. This module is a
library of the evaluation scripts (catchment_evaluation.py, exposure_evaluation.py,
offender_attribution_evaluation.py, catchment_sensitivity.py); run one of those.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
from pathlib import Path

import duckdb

from dbt_runner import dbt_environment, run_dbt
from spatial_extension import load_spatial

EVALUATION_ANALYSES = "analyses/evaluation"

EPILOG = "Run after `make build` (or any dbt build of a synthetic extract)."


def truth_parser(doc: str, epilog: str = EPILOG) -> argparse.ArgumentParser:
    """A parser whose description is the first paragraph of the script's docstring."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0], epilog=epilog)
    parser.add_argument(
        "--db",
        type=Path,
        default=Path("data/school_exposure.duckdb"),
        help="built database (default: %(default)s)",
    )
    parser.add_argument(
        "--truth",
        type=Path,
        default=Path("data/truth"),
        help="the generator's truth directory (default: %(default)s)",
    )
    return parser


def check_inputs(parser: argparse.ArgumentParser, args: argparse.Namespace, truth_file: str):
    """Exit with a usage error when the database or the truth file is missing."""
    if not args.db.exists():
        parser.error(f"no database at {args.db}: run `make build` first")
    if not (args.truth / truth_file).exists():
        parser.error(f"no {truth_file} in {args.truth}: the truth comes with synthetic data only")


def connect_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db), read_only=True)
    load_spatial(con)
    return con


@functools.cache
def _compiled_analyses(database: str, variables: str) -> dict[str, str]:
    """Every analysis of analyses/evaluation, compiled for a database of that name (the
    compiled SQL names relations as "<database>"."<schema>"."<model>"). dbt compiles against a
    throw-away file of the same name, so the database being scored may be open meanwhile."""
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        (work / "raw").mkdir()
        env = dbt_environment(work / f"{database}.duckdb", work / "raw")
        result = run_dbt(
            ["compile", "--select", f"path:{EVALUATION_ANALYSES}", "--vars", variables], env, work
        )
        if result.returncode != 0:
            raise RuntimeError(
                "dbt compile of the evaluation analyses failed:\n"
                + (result.stdout + result.stderr)[-3000:]
            )
        compiled = work / "target" / "compiled" / "school_exposure" / EVALUATION_ANALYSES
        return {path.stem: path.read_text() for path in compiled.glob("*.sql")}


def analysis_sql(con: duckdb.DuckDBPyConnection, name: str, **variables) -> str:
    """The compiled SQL of analyses/evaluation/<name>.sql for the database `con` is on."""
    database = con.execute("select current_database()").fetchone()[0]
    return _compiled_analyses(database, json.dumps(variables, sort_keys=True))[name]


if __name__ == "__main__":
    argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="A library of the evaluation scripts, not a command: run "
        "scripts/catchment_evaluation.py, exposure_evaluation.py, "
        "offender_attribution_evaluation.py or catchment_sensitivity.py (each has --help).",
    ).parse_args()
    sys.exit("truth_evaluation.py is a library: see --help for the commands that use it.")
