"""How wide the top schools' rank intervals are under other ways of drawing the catchment's
uncertainty, on a built database (read only).

int_school_priority_ranks draws every school's measures independently, each with its whole
variance (the LSOA rates, the finite draw of pupils, and the catchment's part: var
catchment_uncertainty_scale squared times the mean square difference over the alternative
catchments). A wrong catchment moves many schools together, so this script re-runs the rank
step in numpy three ways and prints the median width of the top schools' 90% rank intervals:

  independent  as the model does (a check that this simulation matches it);
  joint        one alternative catchment per ranking, shared by every school, its shift
               times the scale; the rest of the variance drawn per school;
  none         the catchment's part left out.

Usage: scripts/rank_interval_sensitivity.py data/opendata/school_exposure.duckdb
"""

from __future__ import annotations

import argparse
import sys

import duckdb
import numpy as np
from scipy import stats

from evaluate_worlds import default_uncertainty_scale

EXPOSURE = "exposure_violence_rate"
HIGH = "pupils_from_high_violence_areas"
OFFENDERS = "school_aged_violent_offenders_per_1000_pupils"
COMMUTE = "near_school_commute_violence"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db", help="a built school_exposure.duckdb")
    parser.add_argument("--replicates", type=int, default=200, help="rankings (default 200)")
    parser.add_argument("--top", type=int, default=20, help="top schools measured (default 20)")
    parser.add_argument(
        "--scale",
        type=float,
        default=default_uncertainty_scale(),
        help="catchment_uncertainty_scale (default: the project's, %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--suppressed-middle", type=float, default=5.0)
    return parser.parse_args(argv)


def load(con, middle):
    schools = con.execute(
        f"""
        select urn, pupils_on_roll, exposure_violence_rate, exposure_variance,
            coalesce(pupils_from_high_violence_areas, {middle}),
            coalesce(pupils_from_high_violence_areas_variance, 0),
            case when is_school_aged_violent_offenders_available
                then coalesce(school_aged_violent_offenders, {middle}) end,
            case when is_near_school_commute_violence_available
                then coalesce(near_school_commute_violence, {middle}) end
        from intermediate.int_school_measures_controlled
        where urn in (select urn from intermediate.int_school_priority_ranks)
        order by urn
        """
    ).fetchall()
    urns = [row[0] for row in schools]
    columns = [np.array([row[i] for row in schools], dtype=float) for i in range(1, 8)]
    weights = dict(
        con.execute(
            "select measure, priority_weight_used from intermediate.int_priority_measure_weights"
        ).fetchall()
    )
    index = {urn: i for i, urn in enumerate(urns)}
    alternatives = con.execute(
        f"select urn, variant, {EXPOSURE}, {HIGH}"
        " from intermediate.int_school_exposure_alternatives"
    ).fetchall()
    variants = sorted({row[1] for row in alternatives})
    shift = np.zeros((2, len(variants), len(urns)))
    for urn, variant, exposure, high in alternatives:
        if urn in index:
            k = variants.index(variant)
            shift[0, k, index[urn]] = 0 if exposure is None else exposure - columns[1][index[urn]]
            shift[1, k, index[urn]] = 0 if high is None else high - columns[3][index[urn]]
    return columns, weights, shift


def main(argv=None) -> int:
    args = parse_args(argv)
    con = duckdb.connect(args.db, read_only=True)
    (roll, exposure, exposure_var, high, high_var, offenders, commute), weights, shift = load(
        con, args.suppressed_middle
    )
    published = dict(
        con.execute(
            "select urn, priority_rank_upper - priority_rank_lower"
            " from intermediate.int_school_priority_ranks"
        ).fetchall()
    )
    con.close()
    n = len(roll)
    rng = np.random.default_rng(args.seed)
    catchment_var = args.scale**2 * (shift**2).mean(axis=1)

    def gamma(mean, var):
        mean = np.maximum(mean, 1e-9)
        var = np.maximum(var, 1e-12)
        return rng.gamma(mean**2 / var, var / mean)

    def ranks(values):
        score = np.zeros(n)
        for measure, value in values.items():
            if weights.get(measure, 0) > 0:
                score += weights[measure] * (stats.rankdata(value, "min") - 1) / (n - 1)
        return stats.rankdata(-np.round(100 * score, 9), "min")

    def draw(values_shift, var_exposure, var_high):
        values = {
            EXPOSURE: gamma(exposure + values_shift[0], var_exposure),
            HIGH: gamma(high + values_shift[1], var_high),
        }
        if weights.get(OFFENDERS, 0) > 0:
            values[OFFENDERS] = 1000 * rng.gamma(offenders + 0.5) / roll
        if weights.get(COMMUTE, 0) > 0:
            values[COMMUTE] = rng.gamma(commute + 0.5)
        return ranks(values)

    point = {EXPOSURE: exposure, HIGH: high, OFFENDERS: 1000 * offenders / roll, COMMUTE: commute}
    base = ranks({k: v for k, v in point.items() if weights.get(k, 0) > 0})
    top = np.argsort(base, kind="stable")[: args.top]
    urns_top = sorted(published)
    print(
        f"{args.db}: {n} schools, {shift.shape[1]} alternative catchments, "
        f"{args.replicates} rankings; median 90% rank-interval width of the top {args.top}"
    )
    published_top = np.median([published[urns_top[i]] for i in top])
    print(f"  published (int_school_priority_ranks): {published_top:.1f}")
    zero = np.zeros((2, n))
    ways = {
        "independent": lambda: draw(zero, exposure_var, high_var),
        "joint": lambda: draw(
            args.scale * shift[:, rng.integers(shift.shape[1])],
            exposure_var - catchment_var[0],
            high_var - catchment_var[1],
        ),
        "none": lambda: draw(zero, exposure_var - catchment_var[0], high_var - catchment_var[1]),
    }
    for name, one_ranking in ways.items():
        simulated = np.array([one_ranking() for _ in range(args.replicates)])
        lower = np.minimum(np.quantile(simulated, 0.05, axis=0, method="inverted_cdf"), base)
        upper = np.maximum(np.quantile(simulated, 0.95, axis=0, method="inverted_cdf"), base)
        print(f"  {name:<12} {np.median((upper - lower)[top]):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
