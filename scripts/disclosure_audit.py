#!/usr/bin/env python3
"""Audit fct_area_violence's disclosure control as an attacker would: combine every level's
published cells (rounded counts, exact zeros, suppression flags) and, optionally, the exact
force-wide total that the force rate gives back, then find by integer programming (HiGHS,
through scipy) the smallest and largest value each suppressed cell can take.

    python scripts/disclosure_audit.py DB [--count violent_offences] [--no-force-total]

What an attacker knows, per published cell of any level (an area's count is the sum of its
LSOAs' counts through the lookup, as the mart says):
  - a count shown as v (a multiple of var disclosure_rounding r, v > 0): the true count is in
    [v - floor(r / 2), v + floor(r / 2)];
  - a count shown as 0: exactly 0 (zero is shown, never suppressed);
  - a suppressed count: at least 1 (the flag does not say whether the suppression is primary,
    below var disclosure_min_count, or secondary, so there is no upper bound);
  - the force rate, times the residents' person-years (the resident children's for youth
    violence; both and the window are published), gives the exact force-wide total of the
    LSOAs with residents.

It prints how many suppressed cells there are, how many the attacker can bound above, and
how many they can narrow to fewer possible values than the primary range 1 to min_count - 1
holds (wherever the range lies: a secondary-suppressed cell can be 10 or more), or pin to one
value. It changes nothing; it is the measurement behind issue 14's "disclosure across
levels".
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

sys.path.insert(0, str(Path(__file__).resolve().parent))

LEVEL_KEY = {"msoa": "msoa_code", "ward": "ward_code", "lad": "lad_code"}


def load(db: Path, count: str):
    import duckdb

    # The youth rate's person-years are the resident children's.
    force_rate = f"force_{count.replace('_offences', '')}_rate_per_1000_per_year"
    population = "resident_children" if count.startswith("youth") else "residents"
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        f"""
        select area_level, area_code, msoa_code, ward_code, lad_code, {count},
            {count}_suppressed, {population}, {force_rate},
            (window_end_date - window_start_date + 1) / 365.25
        from marts.fct_area_violence
        where {count}_suppressed is not null
        order by area_level, area_code
        """
    ).fetchall()
    con.close()
    return rows


def solve_range(c_index, n, bounds, constraint, integrality):
    """The smallest and largest value of variable c_index."""
    out = []
    for sign in (1, -1):
        objective = np.zeros(n)
        objective[c_index] = sign
        result = milp(
            objective,
            constraints=constraint,
            bounds=bounds,
            integrality=integrality,
            options={"time_limit": 10},
        )
        out.append(None if result.x is None else round(sign * result.fun))
    return tuple(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db", type=Path, help="a built DuckDB file (marts.fct_area_violence)")
    parser.add_argument(
        "--count",
        default="violent_offences",
        choices=["violent_offences", "youth_violent_offences"],
        help="the published count to audit (default: violent_offences)",
    )
    parser.add_argument("--min-count", type=int, default=10, help="var disclosure_min_count")
    parser.add_argument("--rounding", type=int, default=5, help="var disclosure_rounding")
    parser.add_argument(
        "--no-force-total",
        action="store_true",
        help="leave out the exact force-wide total the force rate gives",
    )
    args = parser.parse_args(argv)
    if not args.db.is_file():
        print(f"error: no database at {args.db}", file=sys.stderr)
        return 2
    rows = load(args.db, args.count)
    lsoas = [r for r in rows if r[0] == "lsoa"]
    index = {r[1]: i for i, r in enumerate(lsoas)}
    n = len(lsoas)
    half = args.rounding // 2

    def cell_range(value, suppressed):
        if suppressed:
            return 1, np.inf
        if value == 0:
            return 0, 0
        return value - half, value + half

    lower, upper = np.zeros(n), np.zeros(n)
    for i, r in enumerate(lsoas):
        lower[i], upper[i] = cell_range(r[5], r[6])
    members: dict[tuple, list[int]] = {}
    for r in lsoas:
        for position, level in enumerate(LEVEL_KEY):
            code = r[2 + position]
            if code is not None:
                members.setdefault((level, code), []).append(index[r[1]])
    higher = [r for r in rows if r[0] in LEVEL_KEY and (r[0], r[1]) in members]
    extra = 1 if not args.no_force_total else 0
    matrix = lil_matrix((len(higher) + extra, n))
    row_lower, row_upper = [], []
    for k, r in enumerate(higher):
        for i in members[(r[0], r[1])]:
            matrix[k, i] = 1
        lo, hi = cell_range(r[5], r[6])
        row_lower.append(lo)
        row_upper.append(hi)
    force_total = None
    if extra:
        person_years = sum(r[7] * r[9] / 1000 for r in lsoas if r[7] and r[7] > 0)
        force_total = round(lsoas[0][8] * person_years)
        for i, r in enumerate(lsoas):
            if r[7] and r[7] > 0:
                matrix[len(higher), i] = 1
        row_lower.append(force_total)
        row_upper.append(force_total)
    constraint = LinearConstraint(matrix.tocsr(), row_lower, row_upper)
    bounds = Bounds(lower, upper)
    integrality = np.ones(n)

    suppressed = [i for i, r in enumerate(lsoas) if r[6]]
    started = time.perf_counter()
    print(
        f"{args.db}: {args.count}, {n:,} LSOAs, {len(higher):,} higher-level cells, "
        f"{len(suppressed):,} suppressed LSOA cells"
        + (f"; force total from the force rate: {force_total:,}" if extra else "")
    )
    widths = Counter()
    narrowed = pinned = bounded = 0
    for done, i in enumerate(suppressed, 1):
        low, high = solve_range(i, n, bounds, constraint, integrality)
        if low is None:
            print("  infeasible: the published cells contradict each other", file=sys.stderr)
            return 1
        if high is not None and high < 10**9:
            bounded += 1
            widths[high - low] += 1
            if high - low + 1 < args.min_count - 1:
                narrowed += 1
            if high == low:
                pinned += 1
        if done % 50 == 0:
            print(
                f"  {done:,} of {len(suppressed):,} cells ({time.perf_counter() - started:.0f} s)"
            )
    print(
        f"suppressed LSOA cells: {len(suppressed):,}; with an upper bound: {bounded:,}; "
        f"narrowed to fewer than {args.min_count - 1} values: {narrowed:,}; "
        f"pinned to one value: {pinned:,}"
    )
    if widths:
        print(
            "range widths (max - min: cells): "
            + ", ".join(f"{w}: {c}" for w, c in sorted(widths.items()))
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
