#!/usr/bin/env python3
"""Rewrite a DuckDB database file into a fresh one and put it in its place.

DuckDB marks the pages of a dropped table as free but does not overwrite them, so after
`dbt build --vars '{drop_person_level_tables: true}'` the file holds no person-level *table*,
yet its free pages may still hold those rows' bytes. Copying the database into a new file
(COPY FROM DATABASE, as DuckDB's docs advise for reclaiming space) leaves them behind:

    python scripts/compact_database.py data/school_exposure.duckdb

Run it after dbt has finished (nothing else may have the file open). The old file is
replaced atomically; its write-ahead log, if any, is checkpointed first.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

from spatial_extension import load_spatial


def quoted(path: Path) -> str:
    """A path for an SQL string literal (a quote in a folder name must not end it)."""
    return str(path).replace("'", "''")


def compact(path: Path) -> None:
    fresh = path.with_name(path.name + ".compacting")
    fresh.unlink(missing_ok=True)
    con = duckdb.connect()
    load_spatial(con)
    con.execute(f"attach '{quoted(path)}' as old_db")
    con.execute("checkpoint old_db")
    con.execute(f"attach '{quoted(fresh)}' as new_db")
    con.execute("copy from database old_db to new_db")
    con.execute("detach new_db")
    con.execute("detach old_db")
    con.close()
    os.replace(fresh, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", type=Path, help="the DuckDB file to compact in place")
    args = parser.parse_args(argv)
    if not args.database.is_file():
        print(f"error: no database at {args.database}", file=sys.stderr)
        return 2
    compact(args.database)
    print(f"compacted {args.database}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
