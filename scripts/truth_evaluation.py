"""What the scripts that score a build against the synthetic ground truth share: the command
line (`--db`, `--truth`) and opening the built database, with a plain error for a user mistake
(no database, no truth file) instead of a traceback.

Only synthetic data has a truth to compare with: a real extract has none.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from spatial_extension import load_spatial

EPILOG = "Run after `make build` (or any dbt build of a synthetic extract)."


def truth_parser(doc: str, epilog: str = EPILOG) -> argparse.ArgumentParser:
    """A parser whose description is the first paragraph of the script's docstring."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0], epilog=epilog)
    parser.add_argument("--db", type=Path, default=Path("data/school_exposure.duckdb"),
                        help="built database (default: %(default)s)")
    parser.add_argument("--truth", type=Path, default=Path("data/truth"),
                        help="the generator's truth directory (default: %(default)s)")
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
