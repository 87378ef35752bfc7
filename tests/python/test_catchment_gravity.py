"""The gravity model's balancing and calibration (scripts/catchment_gravity.py), on cases small
enough to check by hand, and on a made-up area whose true parameters are known."""

from __future__ import annotations

import numpy as np
import pytest

from catchment_gravity import (
    CALIBRATION_STALL,
    MODEL_TOLERANCE,
    STALL_WINDOW,
    Pairs,
    balance,
    balance_further,
    balance_the_model,
    calibrate,
    known_number,
    segment_pairs,
    statistics,
)


def test_balancing_a_hand_computed_3x2():
    """Three LSOAs (children 90, 60, 30) and two schools (pupils 130, 50), deterrence 1, 1/2
    or 1/4: with b2/b1 = 1.3 every LSOA's children split as 8:1, 2:1 and 1:2, giving flows
    80/10, 40/20 and 10/20, whose columns add up to 130 and 50 and rows to 90, 60 and 30,
    the unique doubly constrained solution."""
    pairs = Pairs.from_columns(
        origin_id=[1, 1, 2, 2, 3, 3],
        destination_id=[1, 2, 1, 2, 1, 2],
        distance_km=[0.5, 2.5, 1.5, 1.5, 2.5, 0.5],
        cross=[0, 0, 0, 0, 0, 0],
        children=[90, 90, 60, 60, 30, 30],
        pupils=[130, 50, 130, 50, 130, 50],
    )
    deterrence = pairs.deterrence(beta=np.log(2))  # 1/sqrt(2) * (1, 1/2, 1/4)
    flows, _, _ = balance(pairs, deterrence, rounds=200)
    assert flows == pytest.approx([80, 10, 40, 20, 10, 20], abs=1e-6)


def test_balancing_meets_both_margins():
    rng = np.random.default_rng(3)
    n_origins, n_schools = 40, 8
    origin, destination = np.meshgrid(np.arange(n_origins), np.arange(n_schools), indexing="ij")
    children = rng.uniform(50, 150, n_origins)
    pupils = rng.uniform(100, 400, n_schools)
    pupils *= children.sum() / pupils.sum()
    pairs = Pairs.from_columns(
        origin.ravel(),
        destination.ravel(),
        rng.uniform(0.2, 8, origin.size),
        np.zeros(origin.size),
        children[origin.ravel()],
        pupils[destination.ravel()],
    )
    flows, _, rounds = balance(pairs, pairs.deterrence(0.5, 0.8), rounds=2000, tolerance=1e-9)
    assert rounds < 2000
    assert np.bincount(pairs.destination, flows) == pytest.approx(pupils, rel=1e-12)
    assert np.bincount(pairs.origin, flows) == pytest.approx(children, rel=1e-6)


def bincount_balance(pairs: Pairs, deterrence, rounds: int, tolerance: float = 0.0, start=None):
    """The balancing as it was written before the sparse matrices (np.bincount over the
    pairs): the reference the faster one must equal bit for bit."""
    o, d = pairs.origin, pairs.destination
    origin_weight = pairs.origin_total[o] * deterrence
    pupil_weight = pairs.destination_total[d] * deterrence
    a = np.ones(len(pairs.origin_total)) if start is None else start.copy()
    n_destinations, n_origins = len(pairs.destination_total), len(pairs.origin_total)
    total = pairs.origin_total.sum()
    done = 0
    for done in range(1, rounds + 1):  # noqa: B007
        b = 1.0 / np.bincount(d, a[o] * origin_weight, n_destinations)
        totals = np.bincount(o, b[d] * pupil_weight, n_origins)
        if tolerance and (pairs.origin_total * np.abs(a * totals - 1.0)).sum() < tolerance * total:
            break
        a = a ** (1.0 - 1.6) * totals ** (-1.6)
    b = 1.0 / np.bincount(d, a[o] * origin_weight, n_destinations)
    flows = pairs.origin_total[o] * pairs.destination_total[d] * deterrence * a[o] * b[d]
    return flows, a, done


def shuffled_pairs(seed: int) -> Pairs:
    """Pairs in no particular order (as the models read them), most origins reaching a few
    schools, with children and pupils of very different sizes."""
    rng = np.random.default_rng(seed)
    n_origins, n_schools = 300, 45
    keep = rng.random((n_origins, n_schools)) < 0.3
    origin, destination = np.nonzero(keep)
    order = rng.permutation(len(origin))
    children = rng.uniform(1, 400, n_origins)
    pupils = rng.uniform(10, 2000, n_schools)
    pupils *= children[np.unique(origin)].sum() / pupils[np.unique(destination)].sum()
    return Pairs.from_columns(
        origin[order] * 7 + 3,
        destination[order] * 11 + 100000,
        rng.lognormal(0.5, 0.9, len(origin)),
        rng.random(len(origin)) < 0.2,
        children[origin[order]],
        pupils[destination[order]],
        rng.random(len(origin)) < 0.1,
    )


@pytest.mark.parametrize("by", ["destination", "origin"])
def test_summing_matrix_equals_bincount_bit_for_bit(by):
    """M @ x adds each row's terms in the pairs' order, as np.bincount does: equal, not
    merely close (the published catchments must not move by a rounding)."""
    pairs = shuffled_pairs(11)
    rng = np.random.default_rng(12)
    weight = rng.lognormal(0, 3, len(pairs.origin))
    rows, columns = (
        (pairs.destination, pairs.origin)
        if by == "destination"
        else (pairs.origin, pairs.destination)
    )
    x = rng.lognormal(0, 2, columns.max() + 1)
    expected = np.bincount(rows, weight * x[columns], rows.max() + 1)
    assert np.array_equal(pairs.summing_matrix(weight, by) @ x, expected)


@pytest.mark.parametrize(
    ("rounds", "tolerance", "warm"), [(100, 0.0, False), (2000, 1e-7, False), (100, 1e-4, True)]
)
def test_balancing_equals_the_bincount_balancing_bit_for_bit(rounds, tolerance, warm):
    """Fixed rounds (the published model), a tolerance (calibration) and a warm start (the
    alternatives) all give exactly the flows, factors and rounds of the bincount form."""
    pairs = shuffled_pairs(21)
    deterrence = pairs.deterrence(0.4, 0.9, 1.1, 0.6)
    start = balance(pairs, pairs.deterrence(0.3), 50)[1] if warm else None
    flows, factors, done = balance(pairs, deterrence, rounds, tolerance, start)
    ref_flows, ref_factors, ref_done = bincount_balance(pairs, deterrence, rounds, tolerance, start)
    assert np.isfinite(flows).all()
    assert done == ref_done
    assert np.array_equal(flows, ref_flows)
    assert np.array_equal(factors, ref_factors)


def made_up_area(seed: int = 5):
    """60 LSOAs and 12 schools on a 10 km square, split into two authorities at x = 5 km."""
    rng = np.random.default_rng(seed)
    homes = rng.uniform(0, 10, (60, 2))
    schools = rng.uniform(0, 10, (12, 2))
    origin, destination = np.meshgrid(np.arange(60), np.arange(12), indexing="ij")
    origin, destination = origin.ravel(), destination.ravel()
    distance = np.hypot(*(homes[origin] - schools[destination]).T) + 0.3
    cross = (homes[origin, 0] < 5) != (schools[destination, 0] < 5)
    children = rng.uniform(50, 150, 60)
    pupils = rng.uniform(0.5, 1.5, 12)
    pupils *= children.sum() / pupils.sum()
    return Pairs.from_columns(
        origin, destination, distance, cross, children[origin], pupils[destination]
    )


def test_calibration_recovers_known_parameters():
    """Flows made with beta 0.3, alpha 1.2 and lambda 0.8 give three figures; calibrating to
    those figures finds the same three parameters."""
    pairs = made_up_area()
    truth, _, _ = balance(pairs, pairs.deterrence(0.3, 1.2, 0.8), rounds=5000, tolerance=1e-12)
    targets = statistics(pairs, truth)
    fit = calibrate(pairs, tuple(targets))
    assert fit.converged
    assert (fit.beta, fit.alpha, fit.authority) == pytest.approx((0.3, 1.2, 0.8), abs=0.02)
    assert fit.modelled == pytest.approx(targets, rel=1e-4)


def test_calibration_to_a_mean_alone_is_an_exponential_decay():
    """Without the second and third figures, alpha and lambda stay 0 and beta meets the mean."""
    pairs = made_up_area(seed=8)
    fit = calibrate(pairs, (3.0, None, None))
    assert (fit.alpha, fit.authority) == (0.0, 0.0)
    assert fit.modelled[0] == pytest.approx(3.0, rel=1e-4)


def test_calibration_without_boundaries_leaves_lambda_at_zero():
    pairs = made_up_area(seed=9)
    pairs.cross[:] = 0
    truth, _, _ = balance(pairs, pairs.deterrence(0.4, 0.5), rounds=5000, tolerance=1e-12)
    fit = calibrate(pairs, tuple(statistics(pairs, truth)))
    assert fit.authority == 0.0
    assert (fit.beta, fit.alpha) == pytest.approx((0.4, 0.5), abs=0.02)


def test_a_null_target_is_unknown_not_zero():
    """DuckDB's fetchnumpy() gives a null as numpy's masked value, which float() turns into
    0: a null nearest-school share (no public figure for primary) would become a target of 0
    and the fit NaN. Every form of 'not known' must come back as None."""
    column = np.ma.masked_array([0.27, 0.0], mask=[False, True])
    assert known_number(column[0]) == pytest.approx(0.27)
    assert known_number(column[1]) is None
    assert known_number(np.ma.masked) is None
    assert known_number(None) is None
    assert known_number(float("nan")) is None
    assert known_number(0.0) == 0.0


def two_parts_out_of_balance() -> Pairs:
    """Two made-up areas with no pair between them, the first with 5% more children than its
    schools' places and the second 5% fewer: no flows meet both margins, so the children
    misplaced stop falling (as a slow mode between regions does at national size, measured
    on a 20-tile extract), and the balancing's factors drift without end."""
    first, second = made_up_area(5), made_up_area(6)
    return Pairs(
        np.concatenate([first.origin, second.origin + len(first.origin_total)]),
        np.concatenate([first.destination, second.destination + len(first.destination_total)]),
        np.concatenate([first.distance_km, second.distance_km]),
        np.concatenate([first.cross, second.cross]),
        np.concatenate([first.origin_total * 1.05, second.origin_total * 0.95]),
        np.concatenate([first.destination_total, second.destination_total]),
    )


def test_a_stalled_balancing_stops_and_keeps_the_school_totals():
    pairs = two_parts_out_of_balance()
    deterrence = pairs.deterrence(0.3, 1.2, 0.8)
    _, _, every_round = balance(pairs, deterrence, rounds=3000, tolerance=1e-9)
    flows, _, rounds = balance(pairs, deterrence, rounds=3000, tolerance=1e-9, stall=0.02)
    assert every_round == 3000
    assert rounds < 100
    assert np.bincount(pairs.destination, flows) == pytest.approx(
        pairs.destination_total, rel=1e-12
    )


def test_calibration_converges_where_the_balancing_stalls():
    """Before the stall rule, every balancing ran its 2000 rounds here and the factors
    overflowed: the fit ended unconverged, on NaN figures. Now it finds the parameters the
    targets came from, in a few hundred rounds in all."""
    pairs = two_parts_out_of_balance()
    truth, _, _ = balance(pairs, pairs.deterrence(0.3, 1.2, 0.8), rounds=30, tolerance=1e-12)
    targets = statistics(pairs, truth)[:3]
    fit = calibrate(pairs, tuple(targets))
    assert fit.converged
    assert (fit.beta, fit.alpha, fit.authority) == pytest.approx((0.3, 1.2, 0.8), abs=0.02)
    assert fit.modelled[:3] == pytest.approx(targets, rel=1e-4)


def two_parts_joined_far_apart(link_km: float) -> Pairs:
    """Two made-up areas, the first with 5% more children than its schools' places and the
    second 5% fewer, joined only by one school of the second that every LSOA of the first
    can reach, `link_km` away: the surplus must cross that link, and the further it is, the
    more rounds the balancing takes (as the real West Midlands geography's primary
    segment did, with pupils choosing schools by the generator's `mixed` rule)."""
    first, second = made_up_area(5), made_up_area(6)
    n_origins, n_destinations = len(first.origin_total), len(first.destination_total)
    origin_total = np.concatenate([first.origin_total * 1.05, second.origin_total * 0.95])
    destination_total = np.concatenate([first.destination_total, second.destination_total])
    return Pairs(
        np.concatenate([first.origin, second.origin + n_origins, np.arange(n_origins)]),
        np.concatenate(
            [
                first.destination,
                second.destination + n_destinations,
                np.full(n_origins, n_destinations),
            ]
        ),
        np.concatenate([first.distance_km, second.distance_km, np.full(n_origins, link_km)]),
        np.concatenate([first.cross, second.cross, np.ones(n_origins)]),
        origin_total,
        destination_total * origin_total.sum() / destination_total.sum(),
    )


def misplaced(pairs: Pairs, flows: np.ndarray) -> float:
    """The children the LSOAs' outflows miss, as a share of all children."""
    outflows = np.bincount(pairs.origin, flows, minlength=len(pairs.origin_total))
    return np.abs(outflows - pairs.origin_total).sum() / pairs.origin_total.sum()


def test_the_model_is_balanced_past_its_rounds_until_the_children_are_placed():
    pairs = two_parts_joined_far_apart(30.0)
    deterrence = pairs.deterrence(0.3, 1.2, 0.8)
    stopped, _, _ = balance(pairs, deterrence, 100)
    flows, _ = balance_the_model(pairs, deterrence, 100)
    assert misplaced(pairs, stopped) > 10 * MODEL_TOLERANCE
    assert misplaced(pairs, flows) < MODEL_TOLERANCE
    assert np.bincount(pairs.destination, flows) == pytest.approx(
        pairs.destination_total, rel=1e-12
    )


def test_balancing_further_goes_on_while_slow_and_stops_when_stalled():
    """70 km apart, the first ten rounds from the model's factors cut the children misplaced
    by under 2% (the calibration's stall), and then the balancing speeds up and converges:
    balancing further must not give up there (the exponential alternative on the real West
    Midlands geography did). 100 km apart nothing moves, as in the national slow mode: it
    must stop at once rather than run its thousand rounds."""
    for link_km, converges in ((70.0, True), (100.0, False)):
        pairs = two_parts_joined_far_apart(link_km)
        deterrence = pairs.deterrence(0.3, 1.2, 0.8)
        _, factors, _ = balance(pairs, deterrence, 100)
        flows, _, rounds = balance_further(pairs, deterrence, 100, factors)
        _, _, calibration_rounds = balance(
            pairs, deterrence, 1000, MODEL_TOLERANCE, factors, CALIBRATION_STALL
        )
        if converges:
            assert calibration_rounds <= STALL_WINDOW + 1
            assert misplaced(pairs, flows) < MODEL_TOLERANCE
        else:
            assert rounds <= STALL_WINDOW + 1
            assert misplaced(pairs, flows) > 0.04


def test_a_model_balanced_within_its_rounds_keeps_its_flows_to_the_last_bit():
    pairs = two_parts_joined_far_apart(5.0)
    deterrence = pairs.deterrence(0.3, 1.2, 0.8)
    stopped, stopped_factors, _ = balance(pairs, deterrence, 100)
    flows, factors = balance_the_model(pairs, deterrence, 100)
    assert misplaced(pairs, stopped) < MODEL_TOLERANCE
    assert np.array_equal(flows, stopped)
    assert np.array_equal(factors, stopped_factors)


def gravity_inputs_table(rows: list[tuple]):
    """A DuckDB relation shaped like int_catchment_gravity_inputs, holding `rows` in the
    order given."""
    import duckdb

    con = duckdb.connect()
    con.execute(
        "create table inputs (segment varchar, urn bigint, lsoa_code varchar, origin_id bigint,"
        " destination_id bigint, distance_km double, is_cross_authority boolean,"
        " origin_children double, pupils double, is_nearest_school boolean)"
    )
    con.executemany("insert into inputs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return con.table("inputs")


def test_pairs_balance_the_same_to_the_last_bit_whatever_order_they_came_in():
    """A table's rows come back in no fixed order from one build to the next; segment_pairs
    sorts them by origin, then destination, keeping each pair's columns together, so that
    the balanced flows of a pair are the same bits however the rows arrived."""
    rng = np.random.default_rng(11)
    n_origins, n_schools = 60, 9
    origin, destination = np.meshgrid(np.arange(n_origins), np.arange(n_schools), indexing="ij")
    children = rng.uniform(50, 150, n_origins)
    pupils = rng.uniform(100, 400, n_schools)
    distance = rng.uniform(0.2, 8, origin.size)
    rows = [
        ("primary", int(d), f"L{int(o)}", int(o), int(d), float(km), False,
         float(children[o]), float(pupils[d]), False)
        for o, d, km in zip(origin.ravel(), destination.ravel(), distance, strict=True)
    ]  # fmt: skip
    flows_by_pair = []
    for seed in (1, 2):
        shuffle = np.random.default_rng(seed).permutation(len(rows))
        pairs, _ = segment_pairs(gravity_inputs_table([rows[i] for i in shuffle]), "primary")
        assert np.array_equal(pairs.distance_km, distance)
        flows, _, _ = balance(pairs, pairs.deterrence(0.4, 0.7), rounds=50)
        flows_by_pair.append(flows)
    assert np.array_equal(flows_by_pair[0], flows_by_pair[1])


def test_segment_pairs_are_read_in_key_order_with_their_keys_alongside():
    """segment_pairs reads one segment of a table whose rows arrive in any order: the pairs
    come out sorted by origin, then destination (key_order), and each pair's urn and
    lsoa_code stay with it."""
    rng = np.random.default_rng(3)
    n_origins, n_schools = 40, 6
    origin, destination = np.meshgrid(np.arange(n_origins), np.arange(n_schools), indexing="ij")
    rows = [
        (
            segment,
            1000 + int(d) + 100 * offset,
            f"E01{int(o):06d}",
            int(o),
            int(d) + 100 * offset,
            float(rng.uniform(0.2, 8)),
            bool(rng.uniform() < 0.2),
            float(50 + o),
            float(300 + d),
            False,
        )
        for offset, segment in enumerate(("primary", "secondary"))
        for o, d in zip(origin.ravel(), destination.ravel(), strict=True)
    ]
    shuffled = [rows[i] for i in rng.permutation(len(rows))]
    pairs, keys = segment_pairs(gravity_inputs_table(shuffled), "secondary")
    wanted = sorted(row for row in rows if row[0] == "secondary")
    wanted.sort(key=lambda row: (row[3], row[4]))
    assert len(pairs.origin) == len(keys) == n_origins * n_schools
    assert keys.column("urn").to_pylist() == [row[1] for row in wanted]
    assert keys.column("lsoa_code").to_pylist() == [row[2] for row in wanted]
    assert pairs.distance_km.tolist() == [row[5] for row in wanted]
    assert pairs.cross.tolist() == [float(row[6]) for row in wanted]
    # each pair's urn and LSOA are the ones its destination and origin indices stand for
    assert np.array_equal(pairs.origin, np.repeat(np.arange(n_origins), n_schools))
    assert np.array_equal(pairs.destination, np.tile(np.arange(n_schools), n_origins))
