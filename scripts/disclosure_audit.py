#!/usr/bin/env python3
"""Audit fct_area_violence's disclosure control as an attacker would: combine every level's
published cells (rounded counts, exact zeros, suppression flags), the force row, and whatever
force-wide total the force rate gives back, then find by integer programming (HiGHS, through
scipy) the smallest and largest value each suppressed cell can take, at every level.

    python scripts/disclosure_audit.py DB [--count violent_offences] [--check]

What an attacker knows, per published cell of any level (an area's count is the sum of its
LSOAs' counts through the lookup, as the mart says; the force row is the sum of every LSOA;
where the mart has output areas, an LSOA's count is the sum of its output areas', and they
are the finest cells the program solves for):
  - a count shown as v (a multiple of var disclosure_rounding r, v > 0): the true count is in
    [v - floor(r / 2), v + floor(r / 2)];
  - a count shown as 0: exactly 0 (zero is shown, never suppressed);
  - a suppressed count: at least 1 (the flag does not say whether the suppression is primary,
    below var disclosure_min_count, or secondary, so there is no upper bound);
  - the force rate times the residents' person-years (the resident children's for youth
    violence; both and the window are published). If that is not the force row's published
    count, it is taken as the exact force-wide total, as an attacker would.

It prints how many suppressed cells there are, how many the attacker can bound above, and
how many they can narrow to fewer possible values than the primary range 1 to min_count - 1
holds (wherever the range lies: a secondary-suppressed cell can be 10 or more), or pin to one
value.

The project's guarantee (README, "Disclosure across levels"; docs/ethics-and-method.md): the
force rate gives back no exact total, and no suppressed cell is pinned to one value. --check
exits 1 when either fails; tests/python/test_pipeline.py runs audit() on the fixture world,
test_output_areas.py on a world with output areas. No suppressed cell narrowed below the
primary range is the aim, not yet met across levels (wards and MSOAs overlap, an LSOA's few
output areas share its rounded total): --check reports narrowed cells but does not fail on
them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

# The columns of a finest cell's row that name the higher areas it is part of.
LEVEL_KEY = {"lsoa": "lsoa_code", "msoa": "msoa_code", "ward": "ward_code", "lad": "lad_code"}


@dataclass
class AuditResult:
    count: str
    finest_level: str
    finest_cells: int
    higher_cells: int
    suppressed: int
    solved: int = 0
    bounded: int = 0
    narrowed: int = 0
    pinned: int = 0
    infeasible: bool = False
    force_total_exact: int | None = None
    widths: Counter = field(default_factory=Counter)


def load(db: Path, count: str):
    import duckdb

    # The youth rate's person-years are the resident children's.
    force_rate = f"force_{count.replace('_offences', '')}_rate_per_1000_per_year"
    population = "resident_children" if count.startswith("youth") else "residents"
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            f"""
            select area_level, area_code, lsoa_code, msoa_code, ward_code, lad_code, {count},
                {count}_suppressed, {population}, {force_rate},
                (window_end_date - window_start_date + 1) / 365.25
            from marts.fct_area_violence
            where {count}_suppressed is not null
            order by area_level, area_code
            """
        ).fetchall()
    finally:
        con.close()
    return rows


def solve_range(cells, n, bounds, constraint, integrality):
    """The smallest and largest value of the sum of the variables `cells` (None when
    unbounded or infeasible)."""
    out = []
    for sign in (1, -1):
        objective = np.zeros(n)
        objective[cells] = sign
        result = milp(
            objective,
            constraints=constraint,
            bounds=bounds,
            integrality=integrality,
            options={"time_limit": 10},
        )
        out.append(None if result.x is None else round(sign * result.fun))
    return tuple(out)


def audit(
    db: Path,
    count: str = "violent_offences",
    min_count: int = 10,
    rounding: int = 5,
    progress: bool = False,
    max_cells: int | None = None,
) -> AuditResult:
    """The audit of one count. `max_cells` solves for that many suppressed cells only,
    spread evenly over them in level and code order (each takes about 0.1 s with thousands
    of output areas); the constraints are always every published cell's."""
    rows = load(db, count)
    # Row layout: level, code, 4 parent codes (LEVEL_KEY order), count, suppressed, population,
    # force rate, window years.
    finest_level = "oa" if any(r[0] == "oa" for r in rows) else "lsoa"
    finest = [r for r in rows if r[0] == finest_level]
    index = {r[1]: i for i, r in enumerate(finest)}
    n = len(finest)
    half = rounding // 2

    def cell_range(value, suppressed):
        if suppressed:
            return 1, np.inf
        if value == 0:
            return 0, 0
        return value - half, value + half

    lower, upper = np.zeros(n), np.zeros(n)
    for i, r in enumerate(finest):
        lower[i], upper[i] = cell_range(r[6], r[7])
    members: dict[tuple, list[int]] = {("force", "force"): list(range(n))}
    for r in finest:
        for position, level in enumerate(LEVEL_KEY):
            code = r[2 + position]
            if code is not None and level != finest_level:
                members.setdefault((level, code), []).append(index[r[1]])
    higher = [r for r in rows if (r[0], r[1]) in members]
    resident = [i for i, r in enumerate(finest) if r[8] and r[8] > 0]

    # The force rate is published on every row; times the person-years it is either the force
    # row's published count (nothing new) or an exact total.
    force_row = next((r for r in rows if r[0] == "force"), None)
    force_rate = next((r[9] for r in rows if r[9] is not None), None)
    force_total_exact = None
    if force_rate is not None:
        person_years = sum(finest[i][8] * finest[i][10] / 1000 for i in resident)
        implied = force_rate * person_years
        published = force_row[6] if force_row is not None else None
        if published is None or abs(implied - published) > 1e-6 * max(1.0, implied):
            force_total_exact = round(implied)

    matrix = lil_matrix((len(higher) + (force_total_exact is not None), n))
    row_lower, row_upper = [], []
    for k, r in enumerate(higher):
        for i in members[(r[0], r[1])]:
            matrix[k, i] = 1
        lo, hi = cell_range(r[6], r[7])
        row_lower.append(lo)
        row_upper.append(hi)
    if force_total_exact is not None:
        for i in resident:
            matrix[len(higher), i] = 1
        row_lower.append(force_total_exact)
        row_upper.append(force_total_exact)
    constraint = LinearConstraint(matrix.tocsr(), row_lower, row_upper)
    bounds = Bounds(lower, upper)
    integrality = np.ones(n)

    # Every suppressed cell, the finest and the higher ones, as the sum of its finest cells.
    suppressed = [[index[r[1]]] for r in finest if r[7]] + [
        members[(r[0], r[1])] for r in higher if r[7]
    ]
    result = AuditResult(count, finest_level, n, len(higher), len(suppressed))
    if max_cells is not None and len(suppressed) > max_cells:
        step = len(suppressed) / max_cells
        suppressed = [suppressed[int(k * step)] for k in range(max_cells)]
    result.solved = len(suppressed)
    result.force_total_exact = force_total_exact
    started = time.perf_counter()
    for done, cell in enumerate(suppressed, 1):
        low, high = solve_range(cell, n, bounds, constraint, integrality)
        if low is None:
            result.infeasible = True
            return result
        if high is not None and high < 10**9:
            result.bounded += 1
            result.widths[high - low] += 1
            if high - low + 1 < min_count - 1:
                result.narrowed += 1
            if high == low:
                result.pinned += 1
        if progress and done % 50 == 0:
            print(
                f"  {done:,} of {len(suppressed):,} cells ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    return result


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
        "--max-cells",
        type=int,
        help="solve for this many suppressed cells only, spread evenly over all of them "
        "(default: every one; with output areas a full audit takes minutes)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 unless the guarantee holds: no exact force total, no cell pinned",
    )
    args = parser.parse_args(argv)
    if not args.db.is_file():
        print(f"error: no database at {args.db}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    print(f"{args.db}: auditing {args.count} ...", flush=True)
    r = audit(
        args.db, args.count, args.min_count, args.rounding, progress=True, max_cells=args.max_cells
    )
    print(
        f"{r.finest_cells:,} cells at the finest level ({r.finest_level}), "
        f"{r.higher_cells:,} higher-level cells (the force row included), "
        f"{r.suppressed:,} suppressed cells at every level; "
        + (
            f"the force rate gives an exact force total: {r.force_total_exact:,}"
            if r.force_total_exact is not None
            else "the force rate gives back only the force row's published count"
        )
    )
    if r.infeasible:
        print("  infeasible: the published cells contradict each other", file=sys.stderr)
        return 1
    print(
        f"suppressed cells: {r.suppressed:,}; solved for: {r.solved:,}; "
        f"with an upper bound: {r.bounded:,}; "
        f"narrowed to fewer than {args.min_count - 1} values: {r.narrowed:,}; "
        f"pinned to one value: {r.pinned:,} ({time.perf_counter() - started:.0f} s)"
    )
    if r.widths:
        print(
            "range widths (max - min: cells): "
            + ", ".join(f"{w}: {c}" for w, c in sorted(r.widths.items()))
        )
    if args.check and (r.force_total_exact is not None or r.pinned):
        print("the disclosure guarantee does not hold", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
