"""How much do school rankings move when the gravity model's distance decay changes?

    python scripts/catchment_sensitivity.py --db data/school_exposure.duckdb

Copies a built database once per beta multiplier (default 0.5 and 2: beta halved and
doubled), rebuilds the gravity catchments in each copy with `dbt run --vars
'{gravity_beta_scale: <m>}'`, and compares each school's rank by violence exposure with the
rank under the calibrated beta (multiplier 1, the database as built). It prints, per
multiplier: the modelled mean home-school distance, Spearman's rank correlation with the
calibrated ranking, how many of the calibrated top 10% of schools stay in the top 10%, and the
median and 90th percentile of the change in rank.

Exposure here is the published exposure_violence_rate of marts.fct_school_exposure (each
school's catchment-weighted smoothed violence rate of its pupils' LSOAs), which the rebuild
recomputes; schools observed in pupil_residence.csv keep their observed catchment.
The database is never changed: the copies live in a temporary directory.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR / "scripts"))

from dbt_runner import dbt_environment, run_dbt  # noqa: E402
from spatial_extension import load_spatial  # noqa: E402
from truth_evaluation import analysis_sql  # noqa: E402


def log(message: str) -> None:
    print(f"[sensitivity] {message}", file=sys.stderr, flush=True)


def rebuild_with_beta_scale(db_path: Path, multiplier: float, work: Path) -> None:
    result = run_dbt(
        [
            "run",
            "--select",
            "int_catchment_gravity_balanced+",
            "--vars",
            f"{{gravity_beta_scale: {multiplier}}}",
        ],
        dbt_environment(db_path),
        work,
    )
    if result.returncode != 0:
        sys.exit(
            f"error: dbt run with gravity_beta_scale {multiplier} failed:\n"
            + (result.stdout + result.stderr)[-3000:]
        )


def exposure_ranks(db_path: Path) -> tuple[dict[int, int], float]:
    con = duckdb.connect(str(db_path), read_only=True)
    load_spatial(con)
    ranks = {
        urn: rank
        for urn, _, rank in con.execute(analysis_sql(con, "published_exposure_ranks")).fetchall()
    }
    mean_km = con.execute(analysis_sql(con, "gravity_mean_distance")).fetchone()[0]
    con.close()
    return ranks, mean_km


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's rho of two rankings without ties (ranks are unique here)."""
    n = len(a)
    d2 = sum((x - y) ** 2 for x, y in zip(a, b))
    return 1 - 6 * d2 / (n * (n * n - 1))


def compare(base: dict[int, int], other: dict[int, int]) -> dict[str, float]:
    urns = sorted(set(base) & set(other))
    base_ranks = [base[u] for u in urns]
    other_ranks = [other[u] for u in urns]
    top = max(1, round(0.1 * len(urns)))
    top_base = {u for u in urns if base[u] <= top}
    top_other = {u for u in urns if other[u] <= top}
    moves = sorted(abs(base[u] - other[u]) for u in urns)
    return {
        "schools": len(urns),
        "spearman": spearman(base_ranks, other_ranks),
        "top10_kept": len(top_base & top_other) / len(top_base),
        "median_move": moves[len(moves) // 2],
        "p90_move": moves[int(0.9 * (len(moves) - 1))],
    }


def sensitivity(db_path: Path, multipliers: list[float]) -> list[dict]:
    base_ranks, base_km = exposure_ranks(db_path)
    rows = [dict(multiplier=1.0, mean_km=base_km, **compare(base_ranks, base_ranks))]
    with tempfile.TemporaryDirectory(prefix="sensitivity-") as tmp:
        for multiplier in multipliers:
            work = Path(tmp) / f"beta-{multiplier}"
            work.mkdir()
            copy = work / "school_exposure.duckdb"
            shutil.copyfile(db_path, copy)
            log(f"beta x {multiplier}: rebuilding the gravity catchments ...")
            rebuild_with_beta_scale(copy, multiplier, work)
            ranks, mean_km = exposure_ranks(copy)
            rows.append(dict(multiplier=multiplier, mean_km=mean_km, **compare(base_ranks, ranks)))
    return rows


def format_rows(rows: list[dict]) -> str:
    lines = [
        f"{'beta x':>6} {'mean km':>8} {'schools':>8} {'spearman':>9} {'top 10% kept':>13} "
        f"{'median move':>12} {'p90 move':>9}"
    ]
    for r in rows:
        lines.append(
            f"{r['multiplier']:>6g} {r['mean_km']:>8.2f} {r['schools']:>8,} {r['spearman']:>9.3f} "
            f"{r['top10_kept']:>13.0%} {r['median_move']:>12,} {r['p90_move']:>9,}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="The database must have been built (make build); it is only read.",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=PROJECT_DIR / "data" / "school_exposure.duckdb",
        help="built database (default: %(default)s)",
    )
    parser.add_argument(
        "--multipliers",
        type=float,
        nargs="+",
        default=[0.5, 2.0],
        help="beta multipliers to compare with 1 (default: 0.5 2)",
    )
    args = parser.parse_args(argv)
    if not args.db.exists():
        parser.error(f"no database at {args.db}: run `make build` first")
    if any(m <= 0 for m in args.multipliers):
        parser.error("beta multipliers must be positive")
    print(format_rows(sensitivity(args.db, args.multipliers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
