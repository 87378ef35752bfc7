"""School exposure against the synthetic ground truth, and the published ranking's rules.

exposure_violence_rate is sum_l w(l, s) * smoothed rate(l); on the true catchments
(pupil_flows.csv) the same sum measures what the modelled catchments should give. Issue 4 asks
for a Spearman correlation of at least 0.9 with modelled catchments; the figures are printed on
every run.
"""

from __future__ import annotations

from conftest import project_vars
from exposure_evaluation import format_exposure_scores, score_exposure

MIN_SPEARMAN_MODELLED = 0.9


def test_modelled_exposure_ranks_schools_like_the_truth(built, capsys):
    scores = score_exposure(built.connect(), built.world.truth_dir)
    with capsys.disabled():
        print("\nschool exposure against the true catchments:\n" + format_exposure_scores(scores))
    gravity, published = scores["gravity"], scores["published"]
    assert gravity.schools == published.schools > 100
    assert gravity.spearman >= MIN_SPEARMAN_MODELLED
    assert published.spearman >= gravity.spearman - 0.01
    # The baseline must do worse, or the comparison cannot tell catchments apart.
    assert scores["nearest"].spearman < gravity.spearman


def test_new_candidates_are_the_top_ranked_schools_off_the_list(built):
    top_n = project_vars()["priority_top_n"]
    candidates, wrong_in, wrong_out, ranks_not_in_order = (
        built.connect()
        .execute(
            """
        select
            count(*) filter (where is_new_candidate),
            count(*) filter (where is_new_candidate and (on_vru_list or priority_rank > $1)),
            count(*) filter (
                where not is_new_candidate and not on_vru_list and priority_rank <= $1
            ),
            -- A higher score never has a worse rank.
            count(*) filter (where priority_rank <> 1 + (
                select count(*) from marts.fct_school_exposure as other
                where other.priority_score > school.priority_score
            ))
        from marts.fct_school_exposure as school
        """,
            [top_n],
        )
        .fetchone()
    )
    assert candidates > 0
    assert wrong_in == wrong_out == ranks_not_in_order == 0


def test_rank_intervals_separate_the_top_from_the_middle(built):
    """The intervals must be informative: the top school's interval lies wholly above the
    median school's, and the middle of the table is wider than the top (as league tables
    usually are)."""
    top, middle = (
        built.connect()
        .execute(
            """
        with ordered as (
            select *, row_number() over (order by priority_rank, urn) as position,
                count(*) over () as schools
            from marts.fct_school_exposure
        )
        select
            (select struct_pack(upper := priority_rank_upper,
                width := priority_rank_upper - priority_rank_lower)
             from ordered where position = 1),
            (select struct_pack(lower := priority_rank_lower,
                width := priority_rank_upper - priority_rank_lower)
             from ordered where position = schools // 2)
        """
        )
        .fetchone()
    )
    assert top["upper"] < middle["lower"]
    assert middle["width"] > top["width"]
