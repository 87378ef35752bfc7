#!/usr/bin/env python3
"""Compare the published tables of two builds, row by row: the check that a change meant to
make the build faster (or tidier) changed no published number.

    python scripts/compare_marts.py BASE_DB NEW_DB
    python scripts/compare_marts.py BASE_DB NEW_DB --schema marts --schema intermediate \\
        --table int_school_priority_ranks --tolerance 1e-9

For every table of the schemas given (default `marts`) in either database, it checks that
both have it with the same columns and types and the same number of rows, then pairs the rows
(both sorted by every column: text, numbers, dates, booleans and geometries by their exact
value) and compares them column by column: a floating-point column may differ by at most
`--tolerance` (absolute, default 1e-9), every other column must be equal (a geometry by its
WKB). Nulls must match nulls. It prints, per table, the rows compared and the largest
difference, and exits 1 when any table differs (0 when all agree, 2 on a usage error).

Only aggregates are printed (counts and differences, with the column's name), never a value,
so it can be run on a force's databases as on the demo's. The build's own times
(build_status.started_at, finished_at and invocation_id) differ between any two builds and are
left out by default (`--ignore`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from spatial_extension import load_spatial  # noqa: E402

DEFAULT_IGNORE = (
    "build_status.started_at",
    "build_status.finished_at",
    "build_status.invocation_id",
)
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tables(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> dict[str, list]:
    """Table name -> [(column, type), ...] in column order."""
    rows = con.execute(
        """
        select table_name, column_name, data_type
        from information_schema.columns
        where table_catalog = ? and table_schema = ?
        order by table_name, ordinal_position
        """,
        [database, schema],
    ).fetchall()
    out: dict[str, list] = {}
    for table, column, data_type in rows:
        out.setdefault(table, []).append((column, data_type))
    return out


def comparable(column: str, data_type: str) -> str:
    """An expression of `column` that sorts and compares by exact value."""
    if data_type.startswith("GEOMETRY"):
        return f"st_aswkb({quoted(column)})"
    if data_type.endswith("[]") or data_type.startswith(("STRUCT", "MAP", "UNION")):
        return f"cast({quoted(column)} as varchar)"
    return quoted(column)


def compare_table(
    con: duckdb.DuckDBPyConnection,
    relations: tuple[str, str],
    columns: list[tuple[str, str]],
    tolerance: float,
) -> dict:
    """Rows compared, the largest difference of a float column, and the columns that differ."""
    floats = [c for c, t in columns if t.upper() in FLOAT_TYPES]
    exact = [c for c, t in columns if t.upper() not in FLOAT_TYPES]
    types = dict(columns)
    # Sorted by the exact columns first, so that a tiny float difference cannot reorder rows
    # that the exact columns already tell apart.
    order = ", ".join([comparable(c, types[c]) for c in exact] + [quoted(c) for c in floats]) or "1"
    select = ", ".join(
        [f"{comparable(c, types[c])} as {quoted(c)}" for c in exact] + [quoted(c) for c in floats]
    )
    numbered = [
        f"select row_number() over (order by {order}) as _row, {select} from {relation}"
        for relation in relations
    ]
    checks = []
    for c in exact:
        checks.append(f"count(*) filter (where a.{quoted(c)} is distinct from b.{quoted(c)})")
    for c in floats:
        a, b = f"a.{quoted(c)}", f"b.{quoted(c)}"
        checks.append(
            f"count(*) filter (where ({a} is null) != ({b} is null)"
            f" or isnan({a}) != isnan({b}) or abs({a} - {b}) > {tolerance})"
        )
        checks.append(f"max(abs({a} - {b})) filter (where not isnan({a}) and not isnan({b}))")
    result = con.execute(
        f"""
        with a as ({numbered[0]}), b as ({numbered[1]})
        select count(*), count(a._row), count(b._row){"".join(", " + c for c in checks)}
        from a full join b on a._row = b._row
        """
    ).fetchone()
    rows, rows_a, rows_b, *values = result
    differing: list[str] = []
    for column, count in zip(exact, values[: len(exact)]):
        if count:
            differing.append(f"{column} ({count} rows)")
    largest = 0.0
    rest = values[len(exact) :]
    for column, count, biggest in zip(floats, rest[0::2], rest[1::2]):
        largest = max(largest, biggest or 0.0)
        if count:
            differing.append(f"{column} ({count} rows, largest difference {biggest:.3g})")
    return {
        "rows": rows,
        "rows_base": rows_a,
        "rows_new": rows_b,
        "largest": largest,
        "differing": differing,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Prints counts and differences only, never a value.",
    )
    parser.add_argument("base_db", type=Path, help="the database built before the change")
    parser.add_argument("new_db", type=Path, help="the database built after it")
    parser.add_argument(
        "--schema",
        action="append",
        help="a schema to compare (repeatable; default: marts)",
    )
    parser.add_argument(
        "--table",
        action="append",
        help="compare only these tables of the schemas (repeatable; default: every table)",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=1e-9,
        help="largest absolute difference allowed in a floating-point column (default 1e-9)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=list(DEFAULT_IGNORE),
        metavar="TABLE.COLUMN",
        help="a column left out of the comparison (repeatable; the build's own times are "
        "left out by default)",
    )
    args = parser.parse_args(argv)
    for path in (args.base_db, args.new_db):
        if not path.is_file():
            parser.error(f"{path} does not exist")
    schemas = args.schema or ["marts"]
    ignored = set(args.ignore)

    con = duckdb.connect()
    load_spatial(con)
    con.execute(f"attach '{str(args.base_db).replace(chr(39), chr(39) * 2)}' as base (read_only)")
    con.execute(f"attach '{str(args.new_db).replace(chr(39), chr(39) * 2)}' as new (read_only)")

    failures = 0
    compared = 0
    for schema in schemas:
        base_tables = tables(con, "base", schema)
        new_tables = tables(con, "new", schema)
        names = sorted(set(base_tables) | set(new_tables))
        if args.table:
            names = [name for name in names if name in args.table]
        for name in names:
            label = f"{schema}.{name}"
            if name not in base_tables or name not in new_tables:
                where = "base" if name in base_tables else "new"
                print(f"DIFF  {label}: only in the {where} database")
                failures += 1
                continue
            base_columns = [c for c in base_tables[name] if f"{name}.{c[0]}" not in ignored]
            new_columns = [c for c in new_tables[name] if f"{name}.{c[0]}" not in ignored]
            if base_columns != new_columns:
                print(f"DIFF  {label}: columns or types differ")
                failures += 1
                continue
            relations = (
                f"base.{quoted(schema)}.{quoted(name)}",
                f"new.{quoted(schema)}.{quoted(name)}",
            )
            result = compare_table(con, relations, base_columns, args.tolerance)
            compared += 1
            same_count = result["rows_base"] == result["rows_new"]
            if same_count and not result["differing"]:
                print(
                    f"same  {label}: {result['rows']} rows compared, largest difference "
                    f"{result['largest']:.3g}"
                )
                continue
            failures += 1
            counts = (
                ""
                if same_count
                else f" ({result['rows_base']} rows in base, {result['rows_new']} in new)"
            )
            print(
                f"DIFF  {label}: {result['rows']} rows compared{counts}; differ: "
                + (", ".join(result["differing"]) or "row counts")
            )
    if not compared and not failures:
        print("no table to compare: check --schema and --table")
        return 2
    print(
        f"{compared} table(s) compared, {failures} differ"
        + (f" (tolerance {args.tolerance:g})" if failures else "")
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
