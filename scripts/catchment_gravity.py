"""The gravity model of school catchments, in numpy: balancing and calibration.

For one catchment segment (an age group), with origins l (LSOAs: their children O(l)) and
destinations s (schools: their pupils D(s)), the expected pupils of school s living in l are

    F(l, s) = O(l) D(s) f(l, s) a(l) b(s),
    f(l, s) = exp(-beta d - alpha ln d - lambda x + nu n)

d the distance (km) from the LSOA's homes to the school, x 1 when the school is in another
local authority than the LSOA, n 1 when it is the LSOA's nearest school of the segment. a and
b are found by iterative proportional fitting (the Furness method) so that every school's
flows add up to its pupils and every LSOA's to its children. The deterrence f has four
parameters, calibrated so that the model reproduces four targets: the mean distance, the mean
log distance (how concentrated journeys are near home: a power-law decay, alpha, gives more
short and more long journeys than an exponential one with the same mean), the share of pupils
crossing an authority boundary, and the share at their nearest school (families who simply
take it). Where the force has the school census for enough schools (pupil_residence.csv) the
targets are those flows' own figures; otherwise public statistics (the National Travel
Survey's distances to school, the DfE's cross-border share, London's share at the nearest
school): int_catchment_calibration_targets. A target that is not known leaves its parameter
at 0.

A library: the dbt Python models int_catchment_gravity_calibration and
int_catchment_gravity_balanced call it (profiles.yml puts scripts/ on their path), and
tests/python/test_catchment_gravity.py tests it on hand-computed cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from scipy import sparse

# Parameter bounds: wide enough for any world seen, narrow enough that a calibration on
# odd data cannot run to a deterrence that overflows.
BOUNDS = {
    "beta": (-1.0, 5.0),
    "alpha": (-1.0, 6.0),
    "authority": (-2.0, 10.0),
    "nearest": (-3.0, 6.0),
}
START = {"beta": 0.5, "alpha": 0.5, "authority": 1.0, "nearest": 0.3}
MIN_DISTANCE_KM = 0.01
RELAXATION = 1.6
# Rounds over which the balancing's progress is judged when a stall ends it (balance()).
STALL_WINDOW = 10
# The calibration's balancings stop once STALL_WINDOW rounds cut the children misplaced by
# under 2%: a rate that, near the scales seen, would need thousands of rounds to finish.
CALIBRATION_STALL = 0.02
# The model's flows, and its alternatives', are balanced until under this share of children
# is misplaced, in at most MORE_ROUNDS_FACTOR times var gravity_ipf_iterations more rounds,
# and not once STALL_WINDOW rounds cut it by under MODEL_STALL (balance_further()).
MODEL_TOLERANCE = 1e-4
MORE_ROUNDS_FACTOR = 10
MODEL_STALL = 0.002


@dataclass
class Pairs:
    """The candidate pairs of one segment: integer origin and destination indices from 0,
    distance, whether the pair crosses an authority boundary, whether the school is the
    origin's nearest, and the two margins."""

    origin: np.ndarray
    destination: np.ndarray
    distance_km: np.ndarray
    cross: np.ndarray
    origin_total: np.ndarray  # per origin index
    destination_total: np.ndarray  # per destination index
    nearest: np.ndarray | None = None
    _orders: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.nearest is None:
            self.nearest = np.zeros(len(self.origin))

    def summing_matrix(self, weight: np.ndarray, by: str) -> sparse.csr_matrix:
        """The sparse matrix M with M @ x == np.bincount(rows, weight * x[columns]) exactly,
        rows the pairs' destinations and columns their origins (`by` "destination"), or the
        other way round (`by` "origin"). Each row holds its pairs in their order in the
        arrays (a stable sort), so the matrix-vector product adds the same terms in the same
        order as bincount: the same floating-point result, bit for bit, in a quarter of the
        time (one pass, no temporary array of the products)."""
        rows, columns = (
            (self.destination, self.origin)
            if by == "destination"
            else (self.origin, self.destination)
        )
        n_rows = len(self.destination_total if by == "destination" else self.origin_total)
        n_columns = len(self.origin_total if by == "destination" else self.destination_total)
        if by not in self._orders:
            order = np.argsort(rows, kind="stable")
            row_starts = np.zeros(n_rows + 1, dtype=np.int64)
            np.cumsum(np.bincount(rows, minlength=n_rows), out=row_starts[1:])
            self._orders[by] = (order, columns[order], row_starts)
        order, ordered_columns, row_starts = self._orders[by]
        return sparse.csr_matrix(
            (weight[order], ordered_columns, row_starts), shape=(n_rows, n_columns)
        )

    @classmethod
    def from_columns(
        cls, origin_id, destination_id, distance_km, cross, children, pupils, nearest=None
    ):
        """From per-pair columns (ids of any integer values, margins repeated per pair)."""
        origins, origin = np.unique(origin_id, return_inverse=True)
        destinations, destination = np.unique(destination_id, return_inverse=True)
        origin_total = np.zeros(len(origins))
        origin_total[origin] = children
        destination_total = np.zeros(len(destinations))
        destination_total[destination] = pupils
        return cls(
            origin,
            destination,
            np.asarray(distance_km, dtype=float),
            np.asarray(cross, dtype=float),
            origin_total,
            destination_total,
            None if nearest is None else np.asarray(nearest, dtype=float),
        )

    def deterrence(
        self, beta: float, alpha: float = 0.0, authority: float = 0.0, nearest: float = 0.0
    ) -> np.ndarray:
        return np.exp(
            -(beta * self.distance_km + alpha * self.log_distance + authority * self.cross)
            + nearest * self.nearest
        )

    @property
    def log_distance(self) -> np.ndarray:
        # Distances from an LSOA's homes include their spread (never 0); 10 m is a floor.
        return np.log(np.maximum(self.distance_km, MIN_DISTANCE_KM))


def balance(
    pairs: Pairs,
    deterrence: np.ndarray,
    rounds: int = 100,
    tolerance: float = 0.0,
    start: np.ndarray | None = None,
    stall: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Flows F balanced by iterative proportional fitting: at most `rounds` rounds (each a b
    step then an a step), stopping early when the children the origins' totals miss, as a
    share of all children, are under `tolerance`, or (with `stall` and a tolerance) when
    STALL_WINDOW rounds cut that share by less than the fraction `stall`. Ends on a b step,
    so school totals hold exactly. Returns the flows, the origin factors a (to start a
    later balancing from) and the rounds run.

    Why the stall rule: over a whole country the children left misplaced after a few dozen
    rounds are a slow mode, a surplus in one region that the fitting passes to the next
    only through the few pairs that join them (measured on a 20-tile national extract: the
    share stuck at 5.3e-5, falling 1% in 500 rounds). Rounds spent there barely move a
    pupil-weighted figure; the calibration stops and carries the factors to its next
    balancing instead. A region-sized world never stalls, so its figures are unchanged."""
    o, d = pairs.origin, pairs.destination
    # destinations x origins: @ a sums a[o] * children * f over each school's pairs
    # (np.bincount(d, a[o] * origin_weight), bit for bit); origins x destinations the same
    # for b over each LSOA's pairs.
    to_destinations = pairs.summing_matrix(pairs.origin_total[o] * deterrence, "destination")
    to_origins = pairs.summing_matrix(pairs.destination_total[d] * deterrence, "origin")
    a = np.ones(len(pairs.origin_total)) if start is None else start.copy()
    total = pairs.origin_total.sum()
    errors = []
    done = 0
    for done in range(1, rounds + 1):  # noqa: B007 (the rounds run are returned)
        b = 1.0 / (to_destinations @ a)
        totals = to_origins @ b
        if tolerance:
            # Converged when the children misplaced, as a share of all, are under `tolerance`.
            errors.append((pairs.origin_total * np.abs(a * totals - 1.0)).sum() / total)
            if errors[-1] < tolerance:
                break
            if (
                stall
                and done > STALL_WINDOW
                and errors[-1] > (1.0 - stall) * errors[-1 - STALL_WINDOW]
            ):
                break
        # Over-relaxed in logs (a^(1 - w) * (1 / totals)^w): the same fixed point as plain
        # proportional fitting (w = 1), reached in far fewer rounds when the deterrence is
        # sharp.
        a = a ** (1.0 - RELAXATION) * totals ** (-RELAXATION)
    b = 1.0 / (to_destinations @ a)
    flows = pairs.origin_total[o] * pairs.destination_total[d] * deterrence * a[o] * b[d]
    return flows, a, done


def balance_the_model(
    pairs: Pairs, deterrence: np.ndarray, rounds: int
) -> tuple[np.ndarray, np.ndarray]:
    """The model's flows: `rounds` rounds of balancing (var gravity_ipf_iterations), then
    further from where they stopped (balance_further()). A world balanced within `rounds`
    keeps its flows bit for bit. Returns the flows and the origin factors."""
    _, factors, _ = balance(pairs, deterrence, rounds)
    flows, factors, _ = balance_further(pairs, deterrence, rounds, factors)
    return flows, factors


def balance_further(
    pairs: Pairs, deterrence: np.ndarray, rounds: int, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Flows balanced from the factors `start` until under MODEL_TOLERANCE of the children
    are misplaced: at most MORE_ROUNDS_FACTOR times `rounds` rounds, and not once
    STALL_WINDOW rounds cut the children misplaced by under MODEL_STALL. The model's flows
    (balance_the_model()) continue this way, and the alternatives start from the model's
    factors. Where schools and homes are unevenly spread, balancing is slow: on the real
    West Midlands geography with pupils choosing schools by the generator's `mixed` rule,
    100 rounds left about 170 LSOAs' primary children 1% short of their children, under the
    model and under the exponential alternative, whose balancing cut the children misplaced
    by 1-2% each ten rounds (a stall at the calibration's 2% would have stopped it); the
    national slow mode, at 0.02% each ten rounds, still stops at once. Returns what
    balance() returns."""
    return balance(
        pairs,
        deterrence,
        MORE_ROUNDS_FACTOR * rounds,
        tolerance=MODEL_TOLERANCE,
        start=start,
        stall=MODEL_STALL,
    )


def statistics(pairs: Pairs, flows: np.ndarray) -> np.ndarray:
    """Pupil-weighted mean distance, mean log distance, share crossing a boundary, share at
    the nearest school."""
    total = flows.sum()
    return np.array(
        [
            (flows * pairs.distance_km).sum() / total,
            (flows * pairs.log_distance).sum() / total,
            (flows * pairs.cross).sum() / total,
            (flows * pairs.nearest).sum() / total,
        ]
    )


@dataclass
class Calibration:
    beta: float
    alpha: float
    authority: float
    nearest: float
    modelled: np.ndarray  # mean distance, mean log distance, cross share, nearest share
    evaluations: int
    converged: bool


def key_order(origin_id: np.ndarray, destination_id: np.ndarray) -> np.ndarray:
    """The positions of the pairs sorted by origin_id, then destination_id. The fit's sums
    add in the order of the arrays, and a table's row order is not fixed from one build to
    the next: sorted, every build gets the same figures to the last bit. Sorted here rather
    than by DuckDB, whose sort of the 14 million national pairs would claim memory the build
    shares with other models."""
    return np.lexsort((destination_id, origin_id))


# The columns of int_catchment_gravity_inputs the fit needs, in Pairs.from_columns' order.
PAIR_COLUMNS = (
    "origin_id",
    "destination_id",
    "distance_km",
    "is_cross_authority",
    "origin_children",
    "pupils",
    "is_nearest_school",
)


def segment_pairs(inputs, segment: str) -> tuple[Pairs, pa.Table]:
    """The candidate pairs of one segment of int_catchment_gravity_inputs (a DuckDB relation),
    sorted by origin_id, then destination_id (key_order()), and their urn and lsoa_code in
    the same order. Read one segment at a time and through Arrow, never as Python strings:
    at national size (14 million pairs) reading every column with fetchnumpy() took 4.1
    GiB, the LSOA codes and segments as Python objects, beside DuckDB's own memory. The
    pairs are unique by (origin_id, destination_id) (a data test), so the order is the same
    in every build."""
    quoted = segment.replace("'", "''")
    table = (
        inputs.filter(f"segment = '{quoted}'")
        .project(", ".join((*PAIR_COLUMNS, "urn", "lsoa_code")))
        .to_arrow_table()
    )
    columns = {name: table.column(name).to_numpy() for name in PAIR_COLUMNS}
    order = key_order(columns["origin_id"], columns["destination_id"])
    keys = table.select(["urn", "lsoa_code"]).take(pa.array(order))
    return Pairs.from_columns(*(columns[name][order] for name in PAIR_COLUMNS)), keys


def known_number(value) -> float | None:
    """A figure read from DuckDB as a float, or None when it is not known: null (None, or
    numpy's masked value, which fetchnumpy() gives for a null and float() would make 0) or
    NaN. A null target leaves its parameter out of the fit; a 0 would be a target of 0."""
    if value is None or value is np.ma.masked or np.ma.is_masked(value):
        return None
    number = float(value)
    return None if np.isnan(number) else number


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def calibrate(
    pairs: Pairs, targets: tuple, rounds: int = 2000, tolerance: float = 1e-7, steps: int = 40
) -> Calibration:
    """beta, alpha, lambda (authority) and nu (nearest) so that the balanced flows reproduce
    `targets`: (mean distance, mean log distance, cross-boundary share, nearest-school share;
    the last may be left out). A target of None leaves its parameter at 0: the mean log
    distance for alpha, the cross share for lambda (always None when no pair crosses a
    boundary), the nearest share for nu.

    Newton's method on the figures, with the Jacobian of a log-linear model: the pupil-
    weighted mean of a pair attribute g moves with a parameter theta_k of ln f by minus the
    covariance of g with theta_k's attribute under the current flows. That leaves out how
    the balancing factors answer, so each step is damped until the figures improve and the
    Jacobian is corrected by Broyden's update after it; it converges in about ten
    balancings, each started from the last one's factors."""
    mean_km, mean_log, cross_share, nearest_share = (*targets, None, None, None)[:4]
    if not pairs.cross.any():
        cross_share = None
    if not pairs.nearest.any():
        nearest_share = None
    wanted = {
        "beta": ("distance", np.log(mean_km)),
        "alpha": ("log_distance", mean_log),
        "authority": ("cross", None if cross_share is None else _logit(cross_share)),
        "nearest": ("nearest", None if nearest_share is None else _logit(nearest_share)),
    }
    names = [name for name, (_, target) in wanted.items() if target is not None]
    # ln f = -(beta d + alpha ln d + lambda x) + nu n: each parameter's attribute and sign
    attribute = {
        "beta": pairs.distance_km,
        "alpha": pairs.log_distance,
        "authority": pairs.cross,
        "nearest": -pairs.nearest,
    }
    figure = {
        "beta": pairs.distance_km,
        "alpha": pairs.log_distance,
        "authority": pairs.cross,
        "nearest": pairs.nearest,
    }
    lower = np.array([BOUNDS[name][0] for name in names])
    upper = np.array([BOUNDS[name][1] for name in names])
    theta = np.array([2.0 / mean_km if name == "beta" else START[name] for name in names])
    state = {"a": None, "evaluations": 0, "error": 1.0}

    def evaluate(values):
        params = dict(zip(names, values))
        # Balanced no tighter than the figures are yet from their targets: early steps are
        # cheap, the last ones exact.
        tight = float(np.clip(1e-3 * state["error"], tolerance, 1e-4))
        flows, state["a"], _ = balance(
            pairs, pairs.deterrence(**params), rounds, tight, state["a"], CALIBRATION_STALL
        )
        state["evaluations"] += 1
        weights = flows / flows.sum()
        means = {name: float((weights * figure[name]).sum()) for name in names}
        transformed = {
            "beta": np.log(means.get("beta", 1.0)),
            "alpha": means.get("alpha"),
            "authority": _logit(means["authority"]) if "authority" in means else None,
            "nearest": _logit(means["nearest"]) if "nearest" in means else None,
        }
        residual = np.array([transformed[name] - wanted[name][1] for name in names])
        state["error"] = min(state["error"], float(np.max(np.abs(residual))))
        return residual, weights, means

    def covariance_jacobian(weights, means):
        jacobian = np.empty((len(names), len(names)))
        for j, name_j in enumerate(names):
            g = figure[name_j]
            # d(transformed figure)/d(mean of g): log for the mean distance, logit for shares
            if name_j == "beta":
                chain = 1.0 / means[name_j]
            elif name_j == "alpha":
                chain = 1.0
            else:
                chain = 1.0 / max(means[name_j] * (1 - means[name_j]), 1e-9)
            for k, name_k in enumerate(names):
                x = attribute[name_k]
                covariance = (weights * g * x).sum() - (weights * g).sum() * (weights * x).sum()
                jacobian[j, k] = -chain * covariance
        return jacobian

    def line_search(step):
        """The step, halved until the figures improve; None when they never do."""
        size = 1.0
        for _halving in range(8):
            candidate = np.clip(theta + size * step, lower, upper)
            result = evaluate(candidate)
            if np.linalg.norm(result[0]) < np.linalg.norm(residual):
                return candidate, result
            size /= 2
        return None

    residual, weights, means = evaluate(theta)
    jacobian = covariance_jacobian(weights, means)
    for _ in range(steps):
        if np.max(np.abs(residual)) < 1e-6:
            break
        found = line_search(np.linalg.lstsq(jacobian, -residual, rcond=None)[0])
        if found is None:
            # Broyden's Jacobian has drifted: start again from the covariances.
            jacobian = covariance_jacobian(weights, means)
            found = line_search(np.linalg.lstsq(jacobian, -residual, rcond=None)[0])
            if found is None:
                break
        candidate, (new_residual, new_weights, new_means) = found
        # Broyden's update: the Jacobian learns how the balancing answers, step by step.
        moved = candidate - theta
        jacobian += np.outer(new_residual - residual - jacobian @ moved, moved) / (moved @ moved)
        theta, residual, weights, means = candidate, new_residual, new_weights, new_means
    flows, _, _ = balance(
        pairs, pairs.deterrence(**dict(zip(names, theta))), 200, 1e-9, state["a"], CALIBRATION_STALL
    )
    params = dict(zip(names, theta))
    return Calibration(
        beta=float(params["beta"]),
        alpha=float(params.get("alpha", 0.0)),
        authority=float(params.get("authority", 0.0)),
        nearest=float(params.get("nearest", 0.0)),
        modelled=statistics(pairs, flows),
        evaluations=state["evaluations"],
        converged=bool(np.max(np.abs(residual)) < 1e-3),
    )
