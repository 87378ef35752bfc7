"""Compare the schools' violence exposure with the same measure on the true catchments.

    python scripts/exposure_evaluation.py --db data/school_exposure.duckdb --truth data/truth

exposure_violence_rate (DESIGN.md) is sum_l w(l, s) * smoothed violence rate(l). With the
generator's pupil_flows.csv (how many of each school's pupils really live in each LSOA) the same
sum can be taken over the true weights, with the same LSOA rates, so any difference comes from
the catchments alone. Prints, for each set of catchments:

- `published`: fct_school_exposure (observed catchments where pupil_residence.csv has them,
  else the var catchment_method);
- `gravity`, `nearest`: every school by that modelled method (int_catchment_flows);

the number of schools, Spearman's rank correlation with the true exposure, and the share of
the true top 10% of schools that are in the top 10% by this exposure. The SQL is
analyses/evaluation/exposure_against_truth.sql.

Only synthetic data has a truth to compare with: a real extract has no pupil_flows.csv.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))

from truth_evaluation import (  # noqa: E402
    analysis_sql,
    check_inputs,
    connect_read_only,
    truth_parser,
)


@dataclass(frozen=True)
class ExposureScore:
    catchments: str
    schools: int
    spearman: float
    top_decile_overlap: float


def top_decile_overlap(modelled: list[float], true: list[float]) -> float:
    """Share of the true top 10% (at least one school) that is in the modelled top 10%."""
    size = max(1, round(len(true) / 10))
    top = lambda values: set(sorted(range(len(values)), key=lambda i: -values[i])[:size])  # noqa: E731
    return len(top(modelled) & top(true)) / size


def score_exposure(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> dict[str, ExposureScore]:
    """Score each set of catchments' exposure against the exposure on the true catchments."""
    sql = analysis_sql(con, "exposure_against_truth", truth_dir=str(truth_dir))
    rows = con.execute(sql).fetchall()
    scores = {}
    for catchments in dict.fromkeys(row[0] for row in rows):
        modelled = [row[1] for row in rows if row[0] == catchments]
        true = [row[2] for row in rows if row[0] == catchments]
        scores[catchments] = ExposureScore(
            catchments,
            len(modelled),
            float(stats.spearmanr(modelled, true).statistic),
            top_decile_overlap(modelled, true),
        )
    return scores


def format_exposure_scores(scores: dict[str, ExposureScore]) -> str:
    lines = [f"{'catchments':<10} {'schools':>8} {'spearman':>9} {'top-10% overlap':>16}"]
    for score in scores.values():
        lines.append(
            f"{score.catchments:<10} {score.schools:>8,} {score.spearman:>9.3f} "
            f"{score.top_decile_overlap:>16.0%}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = truth_parser(__doc__)
    args = parser.parse_args(argv)
    check_inputs(parser, args, "pupil_flows.csv")
    con = connect_read_only(args.db)
    print(format_exposure_scores(score_exposure(con, args.truth)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
