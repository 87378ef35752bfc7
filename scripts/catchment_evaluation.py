"""Compare the modelled catchments with the synthetic ground truth.

    python scripts/catchment_evaluation.py --db data/school_exposure.duckdb --truth data/truth

Reads int_catchment_flows from a built database and the generator's pupil_flows.csv (true
pupils per school and LSOA), by analyses/evaluation/catchments_against_truth.sql, and prints,
per method:

- share right: over all schools, the sum over LSOAs of min(modelled, true) pupils divided by
  the true pupils, with each school's modelled flows scaled to its true total. 1 means every
  pupil is placed in the right LSOA;
- correlation: Pearson's, between modelled and true pupils over every (LSOA, school) pair
  that either has.

Each method is scored on the schools it covers (observed: those in pupil_residence.csv).
Only synthetic data has a truth to compare with: a real extract has no pupil_flows.csv.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from truth_evaluation import (  # noqa: E402
    analysis_sql,
    check_inputs,
    connect_read_only,
    truth_parser,
)


@dataclass(frozen=True)
class MethodScore:
    method: str
    schools: int
    share_right: float
    correlation: float


def score_catchments(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> dict[str, MethodScore]:
    """Score every method in int_catchment_flows against truth_dir/pupil_flows.csv."""
    sql = analysis_sql(con, "catchments_against_truth", truth_dir=str(truth_dir))
    rows = con.execute(sql).fetchall()
    return {row[0]: MethodScore(*row) for row in rows}


def format_scores(scores: dict[str, MethodScore]) -> str:
    lines = [f"{'method':<10} {'schools':>8} {'share right':>12} {'correlation':>12}"]
    for score in scores.values():
        lines.append(
            f"{score.method:<10} {score.schools:>8,} {score.share_right:>12.3f} "
            f"{score.correlation:>12.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = truth_parser(__doc__)
    args = parser.parse_args(argv)
    check_inputs(parser, args, "pupil_flows.csv")
    con = connect_read_only(args.db)
    print(format_scores(score_catchments(con, args.truth)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
