#!/usr/bin/env python3
"""Score the catchment model on every choice process of the synthetic generator.

    python scripts/evaluate_worlds.py [--processes baseline mixed] [--scale 0.05] [--seed 11]

Each process (scripts/synthetic/catchment.py, CHOICE_PROCESSES: exponential and power-law
decay, church and grammar schools, own-authority preference, full schools, nearest-school
families, and all of them at once) makes a world whose pupils choose schools its own way.
For each, the generator writes an extract and its truth, dbt builds it (models only) with
the project's defaults, and the published school exposure is scored against the same
measure on the true catchments. The model is never told which process made the world.

Columns, per process (and the worst over them):
  overlap     share of pupils the published catchments place in their true LSOA
  spearman    rank correlation of exposure_violence_rate with the true-catchment exposure
  primary / secondary / special / independent   the same within primary, secondary (and
              all-through), special schools and pupil referral units, and independent
              (fee-paying) schools
  special_ceiling   the highest Spearman any model could expect for special schools and
              PRUs: their truth is a small draw of pupils, mostly luck (split_half_ceiling)
  top10       share of the true top 10% of schools in the modelled top 10%
  coverage    share of schools whose true-catchment exposure lies in the published 90%
              interval, with the project's catchment_uncertainty_scale (it should be about
              90%: 80-95% is the project's target)
  pupils_cov  the same for pupils_from_high_violence_areas (before disclosure control)
  rank_cov    share of schools whose priority rank on the true catchments (the same
              ranking, with exposure_violence_rate and pupils_from_high_violence_areas taken
              on them) lies in the published 90% interval of priority_rank
  top20_width the median width (upper - lower) of that interval over the published top 20

The intervals include the catchment's uncertainty: the spread of each school's measures
over the catchment's alternatives times var catchment_uncertainty_scale. `--fit` prints
the coverage each process would have for a range of that factor (the worlds are built
with the project's factor; the scores divide it out again), to calibrate it on the family.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import yaml
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dbt_runner import PROJECT_DIR, dbt_environment, run_dbt  # noqa: E402
from spatial_extension import load_spatial  # noqa: E402
from synthetic.catchment import CHOICE_PROCESSES  # noqa: E402
from truth_evaluation import analysis_sql  # noqa: E402

GROUPS = {
    "primary": lambda row: row["phase"] == "Primary" and row["catchment_kind"] == "local",
    "secondary": lambda row: (
        row["phase"] in ("Secondary", "All-through") and row["catchment_kind"] == "local"
    ),
    "special": lambda row: row["catchment_kind"] == "local_authority",
    "independent": lambda row: row["catchment_kind"] == "independent",
}


@dataclass(frozen=True)
class WorldScore:
    process: str
    schools: int
    overlap: float
    spearman: float
    primary: float
    secondary: float
    special: float
    special_ceiling: float
    independent: float
    top10: float
    coverage: float
    pupils_cov: float
    rank_cov: float
    top20_width: float
    rows: tuple = ()

    COLUMNS = (
        "overlap",
        "spearman",
        "primary",
        "secondary",
        "special",
        "special_ceiling",
        "independent",
        "top10",
        "coverage",
        "pupils_cov",
        "rank_cov",
        "top20_width",
    )


def top_decile_overlap(modelled: list[float], true: list[float]) -> float:
    size = max(1, round(len(true) / 10))

    def top(values):
        return set(sorted(range(len(values)), key=lambda i: -values[i])[:size])

    return len(top(modelled) & top(true)) / size


def spearman(rows: list[dict]) -> float:
    if len(rows) < 3:
        return float("nan")
    return float(
        stats.spearmanr(
            [r["modelled_exposure"] for r in rows], [r["true_exposure"] for r in rows]
        ).statistic
    )


def interval_holds(mean: float, variance: float, value: float, level: float = 0.9) -> bool:
    """Whether `value` lies in the `level` interval of the gamma with this mean and variance
    (the project's moment-matched intervals; a point when either is not positive)."""
    if mean <= 0 or variance <= 0:
        return abs(value - mean) <= 1e-9 * max(1.0, abs(mean))
    shape, scale = mean**2 / variance, variance / mean
    tail = (1 - level) / 2
    lower, upper = stats.gamma.ppf([tail, 1 - tail], shape, scale=scale)
    return bool(lower <= value <= upper)


def coverage(rows: list[dict], measure: str, scale: float = 1.0) -> float:
    """Share of schools whose true value of `measure` ('exposure' or 'pupils_high') lies in
    its 90% interval with the catchment's share of the variance times scale^2."""
    modelled = {"exposure": "modelled_exposure", "pupils_high": "modelled_pupils_high"}[measure]
    true = {"exposure": "true_exposure", "pupils_high": "true_pupils_high"}[measure]
    held = [
        interval_holds(
            row[modelled],
            row[f"{measure}_rate_variance"]
            + row[f"{measure}_pupils_variance"]
            + scale**2 * row[f"{measure}_catchment_variance"],
            row[true],
        )
        for row in rows
    ]
    return sum(held) / len(held)


def default_uncertainty_scale() -> float:
    """The project's var catchment_uncertainty_scale (dbt_project.yml), which the published
    intervals use; the worlds are built with 1 so that any factor can be scored."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return float(project["vars"]["catchment_uncertainty_scale"])


def split_half_ceiling(
    con: duckdb.DuckDBPyConnection, truth_dir: Path, urns: set, splits: int = 20
) -> float:
    """The highest Spearman any catchment model could expect against these schools' true
    exposure: the truth is a finite draw of pupils, so part of it is luck no model can know.
    Each school's true pupils are split at random into two halves (binomially, LSOA by LSOA)
    and the halves' exposures correlated (r, averaged over `splits` splits); the whole
    truth's reliability is then 2r / (1 + r) (Spearman-Brown) and the ceiling its square
    root. NaN for fewer than 3 schools."""
    if len(urns) < 3:
        return float("nan")
    cells = con.execute(
        """
        select flows.urn, flows.pupils, rates.smoothed_violent_rate_per_1000_per_year as rate
        from read_csv(?, columns = {'urn': 'bigint', 'lsoa_code': 'varchar', 'pupils': 'bigint'},
            header = true) as flows
        inner join intermediate.int_area_violence_rates as rates
            on rates.area_level = 'lsoa' and rates.area_code = flows.lsoa_code
        where flows.urn in (select unnest(?))
        order by flows.urn, flows.lsoa_code
        """,
        [str(truth_dir / "pupil_flows.csv"), sorted(urns)],
    ).fetchnumpy()
    _, school = np.unique(cells["urn"], return_inverse=True)
    pupils, rate = cells["pupils"].astype(np.int64), cells["rate"]

    def exposure(counts):
        return np.bincount(school, counts * rate) / np.maximum(np.bincount(school, counts), 1e-12)

    rng = np.random.default_rng(0)
    correlations = []
    for _ in range(splits):
        half = rng.binomial(pupils, 0.5)
        other = pupils - half
        both = (np.bincount(school, half) > 0) & (np.bincount(school, other) > 0)
        correlations.append(stats.spearmanr(exposure(half)[both], exposure(other)[both]).statistic)
    r = max(float(np.mean(correlations)), 0.0)
    return float(np.sqrt(2 * r / (1 + r)))


def rank_coverage(rows: list[dict]) -> float:
    """Share of schools whose priority rank on the true catchments lies in the published
    interval of their priority rank."""
    held = [
        row["priority_rank_lower"] <= row["true_priority_rank"] <= row["priority_rank_upper"]
        for row in rows
    ]
    return sum(held) / len(held)


def top_rank_interval_width(rows: list[dict], top: int = 20) -> float:
    """Median width of the published priority rank's interval over the `top` first schools."""
    first = sorted(rows, key=lambda row: (row["priority_rank"], row["urn"]))[:top]
    return float(
        np.median([row["priority_rank_upper"] - row["priority_rank_lower"] for row in first])
    )


def score_world(con: duckdb.DuckDBPyConnection, truth_dir: Path, process: str) -> WorldScore:
    """Score a built world against its truth (analyses/evaluation/school_exposure_against_truth)."""
    cursor = con.execute(
        analysis_sql(con, "school_exposure_against_truth", truth_dir=str(truth_dir))
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    # The world was built with the project's factor: the catchment's share of each variance
    # is kept unscaled here, so that coverage() can score any factor (--fit).
    built = default_uncertainty_scale()
    for row in rows:
        for column in ("exposure_catchment_variance", "pupils_high_catchment_variance"):
            row[column] = row[column] / built**2 if built else 0.0
    return WorldScore(
        process=process,
        schools=len(rows),
        overlap=sum(r["placed_pupils"] for r in rows) / sum(r["true_pupils"] for r in rows),
        spearman=spearman(rows),
        primary=spearman([r for r in rows if GROUPS["primary"](r)]),
        secondary=spearman([r for r in rows if GROUPS["secondary"](r)]),
        special=spearman([r for r in rows if GROUPS["special"](r)]),
        special_ceiling=split_half_ceiling(
            con, truth_dir, {r["urn"] for r in rows if GROUPS["special"](r)}
        ),
        independent=spearman([r for r in rows if GROUPS["independent"](r)]),
        top10=top_decile_overlap(
            [r["modelled_exposure"] for r in rows], [r["true_exposure"] for r in rows]
        ),
        coverage=coverage(rows, "exposure", default_uncertainty_scale()),
        pupils_cov=coverage(rows, "pupils_high", default_uncertainty_scale()),
        rank_cov=rank_coverage(rows),
        top20_width=top_rank_interval_width(rows),
        rows=tuple(rows),
    )


def generate(
    process: str, scale: float, seed: int, raw: Path, truth: Path, real: Path | None = None
) -> None:
    subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "scripts" / "generate_synthetic_extract.py"),
            *("--scale", str(scale), "--seed", str(seed), "--choice", process),
            *("--out", str(raw), "--truth-out", str(truth), "--quiet"),
            *(("--real-geography", str(real)) if real else ()),
        ],
        check=True,
    )


def build_world(
    process: str,
    scale: float,
    seed: int,
    work: Path,
    reuse: bool = False,
    real: Path | None = None,
    data_tests: bool = False,
    without_persons: bool = False,
) -> tuple[Path, Path]:
    """Generate (unless `reuse` and it is there) and build one world under `work`, on the
    real geography in the open-data folder `real` if given; returns (database, truth
    directory). With `data_tests` the build runs the project's data tests too, and fails
    when one fails: a world unlike the demo can break an invariant that no score shows (on
    real geography 100 balancing rounds once left LSOAs' children 1% short). With
    `without_persons` the build reads a copy of the extract whose offence_persons.csv keeps
    only its header, as in open data (the generated extract is left whole, for a later
    --reuse): the offender and commute measures are unavailable and the priority score rests
    on the two measures the catchment makes."""
    raw, truth, db = work / "raw", work / "truth", work / "world.duckdb"
    db.unlink(missing_ok=True)
    if not (reuse and (truth / "manifest.json").exists()):
        generate(process, scale, seed, raw, truth, real)
    if without_persons:
        offences_only = work / "raw_offences_only"
        shutil.rmtree(offences_only, ignore_errors=True)
        shutil.copytree(raw, offences_only)
        persons = offences_only / "offence_persons.csv"
        with persons.open(encoding="utf-8") as file:
            header = file.readline()
        persons.write_text(header, encoding="utf-8")
        raw = offences_only
    env = dbt_environment(db, raw)
    env["SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY"] = secrets.token_hex(32)
    # With the project's defaults: the published intervals, of the ranks too, are scored.
    excluded = ("unit_test",) if data_tests else ("test", "unit_test")
    result = run_dbt(["build", "--exclude-resource-type", *excluded], env, work)
    if result.returncode != 0:
        raise RuntimeError(
            f"dbt build of the {process} world failed:\n" + (result.stdout + result.stderr)[-3000:]
        )
    return db, truth


def evaluate_world(
    process: str,
    scale: float,
    seed: int,
    work: Path,
    reuse: bool = False,
    real: Path | None = None,
    data_tests: bool = False,
    without_persons: bool = False,
) -> WorldScore:
    """Build one world under `work` (build_world) and score it against its truth."""
    db, truth = build_world(process, scale, seed, work, reuse, real, data_tests, without_persons)
    con = duckdb.connect(str(db), read_only=True)
    load_spatial(con)
    try:
        return score_world(con, truth, process)
    finally:
        con.close()


def format_table(scores: list[WorldScore]) -> str:
    header = f"{'process':<22} {'schools':>7} " + " ".join(f"{c:>9}" for c in WorldScore.COLUMNS)
    lines = [header]
    for score in scores:
        lines.append(
            f"{score.process:<22} {score.schools:>7,} "
            + " ".join(f"{getattr(score, c):>9.3f}" for c in WorldScore.COLUMNS)
        )
    if len(scores) > 1:
        worst = {c: min(getattr(s, c) for s in scores) for c in WorldScore.COLUMNS}
        # the coverages furthest from the 90% they should have, the widest intervals
        worst["top20_width"] = max(s.top20_width for s in scores)
        for column in ("coverage", "pupils_cov", "rank_cov"):
            worst[column] = min((getattr(s, column) for s in scores), key=lambda v: -abs(v - 0.9))
        lines.append(
            f"{'worst':<22} {'':>7} " + " ".join(f"{worst[c]:>9.3f}" for c in WorldScore.COLUMNS)
        )
    return "\n".join(lines)


FIT_SCALES = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)


def format_fit(scores: list[WorldScore]) -> str:
    """Coverage of the exposure's 90% interval per process for each catchment_uncertainty_scale
    in FIT_SCALES (from the rows' unscaled catchment variances)."""
    lines = [f"{'catchment_uncertainty_scale':<28}" + "".join(f"{k:>7.1f}" for k in FIT_SCALES)]
    for score in scores:
        for measure in ("exposure", "pupils_high"):
            lines.append(
                f"{score.process + ' ' + measure:<28}"
                + "".join(f"{coverage(list(score.rows), measure, k):>7.3f}" for k in FIT_SCALES)
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Each world takes about a minute at scale 0.05 (generation and dbt build).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--processes", nargs="+", choices=sorted(CHOICE_PROCESSES), default=list(CHOICE_PROCESSES)
    )
    parser.add_argument("--scale", type=float, default=0.05, help="crime data scale (0.05)")
    parser.add_argument("--seed", type=int, default=11, help="the worlds' seed (11)")
    parser.add_argument("--keep", type=Path, help="keep each world under this folder")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: rebuild the worlds already generated there instead of making them "
        "again (to score a change of the model on the same worlds)",
    )
    parser.add_argument(
        "--fit",
        action="store_true",
        help="also print the coverage of each process for a range of "
        "catchment_uncertainty_scale, to calibrate it",
    )
    parser.add_argument(
        "--real-geography",
        type=Path,
        metavar="OPEN_DATA",
        help="build the worlds on the real West Midlands geography and GIAS schools in this "
        "open-data folder (../shared/open-data) instead of the fictional one",
    )
    parser.add_argument(
        "--data-tests",
        action="store_true",
        help="run the project's data tests in each build too, and stop at a world that "
        "fails one (slower)",
    )
    parser.add_argument(
        "--without-persons",
        action="store_true",
        help="build each world from its offences alone, as from open data (a copy of the "
        "extract with offence_persons.csv emptied to its header): the priority score then "
        "rests on the catchment's two measures, and rank_cov and top20_width show how its "
        "rank intervals fare",
    )
    args = parser.parse_args(argv)
    scores = []
    for process in args.processes:
        started = time.monotonic()
        print(f"[worlds] {process}: generating and building ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            work = (args.keep / process) if args.keep else Path(tmp)
            work.mkdir(parents=True, exist_ok=True)
            scores.append(
                evaluate_world(
                    process,
                    args.scale,
                    args.seed,
                    work,
                    args.reuse,
                    args.real_geography,
                    args.data_tests,
                    args.without_persons,
                )
            )
        print(
            f"[worlds] {process}: done in {time.monotonic() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    print(format_table(scores))
    if args.fit:
        print()
        print(format_fit(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
