"""The catchment models against the synthetic ground truth, and their sensitivity to beta.

The generator's pupil_flows.csv holds, for every open school, how many of its pupils really
live in each LSOA (from a school-choice simulation that is deliberately not the pipeline's
gravity model). These tests print the scores, so every run reports them. The invariants
(rolls, weights, LSOA origins, calibrated mean distance) are dbt tests, run by the build.
"""

from __future__ import annotations

from catchment_evaluation import format_scores, score_catchments
from catchment_sensitivity import format_rows, sensitivity

# "A clear margin" (issue 3): the gravity model must beat the nearest-school baseline by at
# least this much on both scores.
CLEAR_MARGIN = 0.10


def test_gravity_beats_nearest_against_truth(built, capsys):
    con = built.connect()
    scores = score_catchments(con, built.world.truth_dir)
    with capsys.disabled():
        print("\ncatchments against the synthetic truth:\n" + format_scores(scores))
    gravity, nearest = scores["gravity"], scores["nearest"]
    assert gravity.schools == nearest.schools > 0
    assert gravity.share_right >= nearest.share_right + CLEAR_MARGIN
    assert gravity.correlation >= nearest.correlation + CLEAR_MARGIN


def test_observed_catchments_lose_only_the_suppressed_cells(built):
    """Observed flows are the truth with small cells suppressed: nearly every pupil is placed."""
    scores = score_catchments(built.connect(), built.world.truth_dir)
    observed = scores["observed"]
    assert observed.schools > 0
    assert observed.share_right > 0.85
    assert observed.correlation > 0.95


def test_halving_and_doubling_beta_moves_distances_and_ranks(built, capsys):
    rows = sensitivity(built.db_path, [0.5, 2.0])
    with capsys.disabled():
        print("\nschool exposure ranks with beta halved and doubled:\n" + format_rows(rows))
    calibrated, halved, doubled = rows
    # A weaker distance decay spreads catchments further, a stronger one draws them in.
    assert halved["mean_km"] > calibrated["mean_km"] > doubled["mean_km"]
    assert calibrated["spearman"] == 1
    for changed in (halved, doubled):
        assert 0 < changed["spearman"] < 1
        assert changed["schools"] == calibrated["schools"]
