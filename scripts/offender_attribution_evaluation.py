"""Compare the attribution of school-aged violent offenders to schools with the synthetic truth.

    python scripts/offender_attribution_evaluation.py --db data/school_exposure.duckdb \\
        --truth data/truth

Reads, from a built database, int_school_aged_violent_offenders, the attribution
(int_violent_offender_attribution_outcomes, with the shares of each home and age in
int_violent_offender_school_shares) and the per-school counts
(int_school_violent_offender_counts), and the generator's offender_schools.csv: every
school-aged suspect's true school (empty when not at a school), keyed by the force's person
reference. People are matched through the keyed hash the pipeline stores
(person_id), so the same pseudonymisation key as the build's must be in the environment
(SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY or SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY_FILE). It prints:

- attributed: the share of offenders attributed to a school (directly or shared out);
- for the persons shared out from home who have a true school: how often that school is
  among the schools they were shared among, and the mean share it got, against the share an
  equal split among the same schools would give it (1 / number of schools), and the share it
  would get if the catchments were the true ones (pupil_flows.csv, all ages: a ceiling for
  any catchment model, since children of one area go to many schools);
- correlation: Pearson's, over the schools with a catchment, between the attributed count
  and the true count (the pipeline's offenders whose true school it is); for all offenders
  and for the shared ones only (the generator records only true schools, so the direct ones
  are right by construction), each against the equal split.

Only synthetic data has a truth to compare with: a real extract has no offender_schools.csv.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pseudonymisation import MissingKeyError, load_key, make_pseudonymiser  # noqa: E402
from spatial_extension import SpatialExtensionError  # noqa: E402
from truth_evaluation import (  # noqa: E402
    analysis_sql,
    check_inputs,
    connect_read_only,
    truth_parser,
)

TRUTH_FILE = "offender_schools.csv"
TRUTH_COLUMNS = ("person_ref", "urn")
FLOWS_FILE = "pupil_flows.csv"
MODELS = (
    "intermediate.int_school_aged_violent_offenders",
    "intermediate.int_violent_offender_attribution_outcomes",
    "intermediate.int_violent_offender_school_shares",
    "intermediate.int_school_violent_offender_counts",
)


class EvaluationError(RuntimeError):
    """The inputs cannot be evaluated; the message says why."""


@dataclass(frozen=True)
class AttributionScore:
    offenders: int  # rows of int_school_aged_violent_offenders
    matched: int  # of which found in the truth
    direct: int
    shared: int
    unattributed: int
    direct_right: float  # direct persons whose recorded school is their true school
    shared_scored: int  # shared persons with a true school
    true_school_eligible: float  # ... whose true school is among those they were shared by
    mean_eligible_schools: float  # schools a shared person is shared among, on average
    mean_share_true_school: float  # share given to the true school (0 when not eligible)
    mean_equal_share_true_school: float  # the same under an equal split
    mean_true_flow_share_true_school: float | None  # the same with the true catchments
    schools: int
    correlation: float  # per school, attributed against true counts, all offenders
    correlation_equal: float
    correlation_shared: float  # the same, shared persons only
    correlation_shared_equal: float

    @property
    def attributed_share(self) -> float:
        return (self.direct + self.shared) / self.offenders if self.offenders else 0.0


def read_truth(path: Path, pseudonymise) -> pa.Table:
    """offender_schools.csv with person references replaced by their pseudonyms."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in TRUTH_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise EvaluationError(f"{path} lacks the column(s) {', '.join(missing)}")
        rows = list(reader)
    return pa.table(
        {
            "person_id": pa.array([pseudonymise(r["person_ref"]) for r in rows], pa.string()),
            "urn": pa.array([int(r["urn"]) if r["urn"] else None for r in rows], pa.int64()),
        }
    )


def score_attribution(
    con: duckdb.DuckDBPyConnection, truth_dir: Path, key: bytes
) -> AttributionScore:
    """Score the attribution in the database `con` against truth_dir/offender_schools.csv."""
    for model in MODELS:
        schema, table = model.split(".")
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
        if not found:
            raise EvaluationError(
                f"the database has no {model}: build the attribution models first (and keep "
                "var drop_person_level_tables false, which drops the person-level ones)"
            )
    truth = read_truth(truth_dir / TRUTH_FILE, make_pseudonymiser(key))
    con.register("offender_truth", truth)

    def run(name: str):
        return con.execute(analysis_sql(con, name, truth_dir=str(truth_dir))).fetchone()

    run("offender_attribution_person_schools")
    run("offender_attribution_persons")
    persons = run("offender_attribution_person_scores")
    flows = truth_dir / FLOWS_FILE
    ceiling = run("offender_attribution_true_flow_share")[0] if flows.exists() else None
    schools = run("offender_attribution_school_scores")
    score = AttributionScore(*persons, ceiling, *schools)
    if score.offenders and score.matched == 0:
        raise EvaluationError(
            "no offender in the database matches the truth: the pseudonymisation key in the "
            "environment is not the one the database was built with, or the truth belongs to "
            "another extract"
        )
    return score


def format_score(score: AttributionScore) -> str:
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:.1f}%"

    def num(x: float | None, digits: int = 3) -> str:
        return "n/a" if x is None else f"{x:.{digits}f}"

    return "\n".join(
        [
            f"school-aged violent offenders      {score.offenders:>8,} "
            f"({score.matched:,} found in the truth)",
            f"  attributed directly              {score.direct:>8,}  "
            f"(recorded school is the true one: {pct(score.direct_right)})",
            f"  shared out from home             {score.shared:>8,}",
            f"  not attributed                   {score.unattributed:>8,}",
            f"  share attributed                 {pct(score.attributed_share):>8}",
            f"shared persons with a true school  {score.shared_scored:>8,}  "
            f"(the other {score.shared - score.shared_scored:,} are at no school in the truth)",
            f"  true school among those shared   {pct(score.true_school_eligible):>8}  "
            f"(of {num(score.mean_eligible_schools, 1)} schools on average)",
            "  mean share to the true school    "
            f"{num(score.mean_share_true_school):>8}  "
            f"(equal split: {num(score.mean_equal_share_true_school)}, "
            f"true catchments: {num(score.mean_true_flow_share_true_school)})",
            f"per school ({score.schools:,} schools), correlation with the true counts",
            f"  all offenders                    {num(score.correlation):>8}  "
            f"(equal split: {num(score.correlation_equal)})",
            f"  shared persons only              {num(score.correlation_shared):>8}  "
            f"(equal split: {num(score.correlation_shared_equal)})",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = truth_parser(
        __doc__,
        epilog=(
            "Run after `make build` (or any dbt build of a synthetic extract), with the "
            "build's pseudonymisation key in the environment, e.g. "
            "SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY_FILE=.secrets/demo_pseudonymisation.key."
        ),
    )
    args = parser.parse_args(argv)
    check_inputs(parser, args, TRUTH_FILE)
    try:
        key = load_key()
        con = connect_read_only(args.db)
        score = score_attribution(con, args.truth, key)
    except (MissingKeyError, EvaluationError, SpatialExtensionError, duckdb.IOException) as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    print(format_score(score))
    return 0


if __name__ == "__main__":
    sys.exit(main())
