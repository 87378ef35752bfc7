"""Compare the attribution of school-aged violent offenders to schools with the synthetic truth.

    python scripts/offender_attribution_evaluation.py --db data/school_exposure.duckdb \\
        --truth data/truth

Reads, from a built database, int_school_aged_violent_offenders, the attribution
(int_violent_offenders_attributed_to_schools) and the per-school counts
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
from truth_evaluation import check_inputs, connect_read_only, truth_parser  # noqa: E402

TRUTH_FILE = "offender_schools.csv"
TRUTH_COLUMNS = ("person_ref", "urn")
FLOWS_FILE = "pupil_flows.csv"
MODELS = (
    "intermediate.int_school_aged_violent_offenders",
    "intermediate.int_violent_offenders_attributed_to_schools",
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


PERSONS_SQL = """
create or replace temp table scored_persons as
with

offenders as (
    select * from intermediate.int_school_aged_violent_offenders
),

attributed as (
    select * from intermediate.int_violent_offenders_attributed_to_schools
),

truth as (
    select * from offender_truth
),

attributions as (
    select person_id, any_value(attribution) as attribution, count(*) as schools
    from attributed
    group by person_id
)

select
    offenders.person_id,
    offenders.school_urn,
    truth.person_id is not null as is_matched,
    truth.urn as true_urn,
    coalesce(attributions.attribution, 'unattributed') as attribution,
    attributions.schools,
    attributed.share as true_school_share,
    case when attributed.urn is not null then 1 / attributions.schools end
        as true_school_equal_share
from offenders
left join truth
    on offenders.person_id = truth.person_id
left join attributions
    on offenders.person_id = attributions.person_id
left join attributed
    on offenders.person_id = attributed.person_id and truth.urn = attributed.urn
"""

PERSON_SCORE_SQL = """
select
    count(*),
    count(*) filter (where is_matched),
    count(*) filter (where attribution = 'direct'),
    count(*) filter (where attribution = 'shared'),
    count(*) filter (where attribution = 'unattributed'),
    avg((school_urn = true_urn)::int) filter (where attribution = 'direct' and is_matched),
    count(*) filter (where attribution = 'shared' and true_urn is not null),
    avg((true_school_share is not null)::int)
        filter (where attribution = 'shared' and true_urn is not null),
    avg(schools) filter (where attribution = 'shared'),
    avg(coalesce(true_school_share, 0))
        filter (where attribution = 'shared' and true_urn is not null),
    avg(coalesce(true_school_equal_share, 0))
        filter (where attribution = 'shared' and true_urn is not null)
from scored_persons
"""

TRUE_FLOW_SQL = """
with

true_flows as (
    select cast(urn as bigint) as urn, lsoa_code, cast(pupils as double) as pupils
    from read_csv(?, all_varchar = true)
),

schools as (
    select * from intermediate.int_school_rolls
),

persons as (
    select scored_persons.person_id, scored_persons.true_urn, offenders.home_lsoa_code,
        offenders.age_at_offence
    from scored_persons
    inner join intermediate.int_school_aged_violent_offenders as offenders
        on scored_persons.person_id = offenders.person_id
    where scored_persons.attribution = 'shared' and scored_persons.true_urn is not null
),

-- The attribution's rule (schools teaching the age, both ends) with the true flows for F.
shares as (
    select
        persons.person_id,
        true_flows.urn = persons.true_urn as is_true_school,
        true_flows.pupils / sum(true_flows.pupils) over (partition by persons.person_id)
            as share
    from persons
    inner join true_flows on persons.home_lsoa_code = true_flows.lsoa_code
    inner join schools on true_flows.urn = schools.urn
    where true_flows.pupils > 0
        and persons.age_at_offence between schools.low_age and schools.high_age
)

select coalesce(sum(share) filter (where is_true_school), 0) / (select count(*) from persons)
from shares
"""

SCHOOL_SCORE_SQL = """
with

counts as (
    select * from intermediate.int_school_violent_offender_counts
),

attributed as (
    select * from intermediate.int_violent_offenders_attributed_to_schools
),

true_counts as (
    select
        true_urn as urn,
        count(*) as offenders,
        count(*) filter (where attribution = 'shared') as shared_offenders
    from scored_persons
    where true_urn is not null
    group by true_urn
),

equal_split as (
    select
        urn,
        sum(case when attribution = 'direct' then 1 else 1 / schools end) as offenders,
        sum(1 / schools) filter (where attribution = 'shared') as shared_offenders
    from (
        select *, count(*) over (partition by person_id) as schools from attributed
    )
    group by urn
),

paired as (
    select
        counts.school_aged_violent_offenders as attributed,
        counts.shared_violent_offenders as attributed_shared,
        coalesce(equal_split.offenders, 0) as equal,
        coalesce(equal_split.shared_offenders, 0) as equal_shared,
        coalesce(true_counts.offenders, 0) as true_offenders,
        coalesce(true_counts.shared_offenders, 0) as true_shared
    from counts
    left join true_counts on counts.urn = true_counts.urn
    left join equal_split on counts.urn = equal_split.urn
)

select
    count(*),
    corr(attributed, true_offenders),
    corr(equal, true_offenders),
    corr(attributed_shared, true_shared),
    corr(equal_shared, true_shared)
from paired
"""


def read_truth(path: Path, pseudonymise) -> pa.Table:
    """offender_schools.csv with person references replaced by their pseudonyms."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in TRUTH_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise EvaluationError(f"{path} lacks the column(s) {', '.join(missing)}")
        rows = list(reader)
    return pa.table({
        "person_id": pa.array([pseudonymise(r["person_ref"]) for r in rows], pa.string()),
        "urn": pa.array([int(r["urn"]) if r["urn"] else None for r in rows], pa.int64()),
    })


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
    con.execute(PERSONS_SQL)
    persons = con.execute(PERSON_SCORE_SQL).fetchone()
    flows = truth_dir / FLOWS_FILE
    ceiling = con.execute(TRUE_FLOW_SQL, [str(flows)]).fetchone()[0] if flows.exists() else None
    schools = con.execute(SCHOOL_SCORE_SQL).fetchone()
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

    return "\n".join([
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
    ])


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
