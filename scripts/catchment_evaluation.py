"""Compare the modelled catchments with the synthetic ground truth.

    python scripts/catchment_evaluation.py --db data/school_exposure.duckdb --truth data/truth

Reads intermediate.int_catchment_flows from a built database and the generator's
pupil_flows.csv (true pupils per school and LSOA), and prints, per method:

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

from truth_evaluation import check_inputs, connect_read_only, truth_parser  # noqa: E402


@dataclass(frozen=True)
class MethodScore:
    method: str
    schools: int
    share_right: float
    correlation: float


SCORE_SQL = """
with

truth as (
    select cast(urn as integer) as urn, lsoa_code, cast(pupils as double) as pupils
    from read_csv(?, all_varchar = true)
),

modelled as (
    select * from intermediate.int_catchment_flows
),

true_totals as (
    select urn, sum(pupils) as pupils from truth group by urn
),

scaled as (
    -- The modelled shares applied to the school's true pupils: only where they live counts.
    select modelled.method, modelled.urn, modelled.lsoa_code,
        modelled.weight * true_totals.pupils as pupils
    from modelled
    inner join true_totals on modelled.urn = true_totals.urn
),

covered as (
    select distinct method, urn from scaled
),

true_by_method as (
    select covered.method, truth.urn, truth.lsoa_code, truth.pupils
    from truth
    inner join covered on truth.urn = covered.urn
),

paired as (
    select
        coalesce(scaled.method, true_by_method.method) as method,
        coalesce(scaled.urn, true_by_method.urn) as urn,
        coalesce(scaled.pupils, 0) as modelled_pupils,
        coalesce(true_by_method.pupils, 0) as true_pupils
    from scaled
    full join true_by_method
        on scaled.method = true_by_method.method
        and scaled.urn = true_by_method.urn
        and scaled.lsoa_code = true_by_method.lsoa_code
)

select
    method,
    count(distinct urn) as schools,
    sum(least(modelled_pupils, true_pupils)) / sum(true_pupils) as share_right,
    corr(modelled_pupils, true_pupils) as correlation
from paired
group by method
order by method
"""


def score_catchments(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> dict[str, MethodScore]:
    """Score every method in int_catchment_flows against truth_dir/pupil_flows.csv."""
    rows = con.execute(SCORE_SQL, [str(truth_dir / "pupil_flows.csv")]).fetchall()
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
