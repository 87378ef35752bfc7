"""fct_bias_checks on the fixture world: every deprivation decile is shown, each published
count is the exact count of the offences (or school-aged suspects) in its group,
disclosure-controlled, and the ethnicity comparison finds what the generator built in."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from conftest import Build, project_vars

ETHNIC_GROUPS = ["White", "Asian", "Black", "Mixed", "Other"]

EXACT = """
with offences as (
    select offences.*, coalesce(cast(deprivation.imd_decile as varchar), 'unknown') as decile,
        coalesce(lookup.lad_code, 'unknown') as lad_code
    from intermediate.int_violent_offences_counted as offences
    left join staging.stg_mhclg__deprivation as deprivation using (lsoa_code)
    left join staging.stg_ons__lsoa_lookup as lookup using (lsoa_code)
    where offences.lsoa_code is not null
)
select 'violence_by_deprivation_decile', decile, count(*), count(*) filter (where is_proactive)
from offences group by decile
union all
select 'violence_by_local_authority', lad_code, count(*), count(*) filter (where is_proactive)
from offences group by lad_code
"""


def published(built: Build) -> dict[tuple, tuple]:
    con = built.connect()
    rows = con.execute(
        "select check_name, breakdown, violent_offences, violent_offences_suppressed,"
        " proactive_violent_offences, proactive_violent_offences_suppressed,"
        " is_proactive_flag_available from marts.fct_bias_checks"
        " where check_name like 'violence%'"
    ).fetchall()
    return {(check, breakdown): rest for check, breakdown, *rest in rows}


def test_every_deprivation_decile_has_a_row(built: Build):
    deciles = {b for (c, b) in published(built) if c == "violence_by_deprivation_decile"}
    assert {str(d) for d in range(1, 11)} <= deciles


def test_published_counts_are_the_exact_counts_controlled(built: Build):
    rows = published(built)
    exact = {
        (check, group): (violent, proactive)
        for check, group, violent, proactive in built.connect().execute(EXACT).fetchall()
    }
    assert exact, "no violent offences in the fixture world"
    for key, (violent, proactive) in exact.items():
        shown, hidden, shown_proactive, hidden_proactive, available = rows[key]
        assert available, "the synthetic extract records proactive policing"
        for true, value, suppressed in (
            (violent, shown, hidden),
            (proactive, shown_proactive, hidden_proactive),
        ):
            if suppressed:
                assert value is None and true >= 1, key
            elif true == 0:
                assert value == 0, key
            else:
                assert value % 5 == 0 and abs(value - true) <= 2, (key, value, true)
    # Groups with no offences are shown as 0, never left out.
    for key, values in rows.items():
        if key not in exact:
            assert values[0] == 0 and not values[1], key
    # The deciles and the authorities each hold every located, counted offence.
    located = sum(v for (c, _), (v, _) in exact.items() if c == "violence_by_local_authority")
    assert located == sum(
        v for (c, _), (v, _) in exact.items() if c == "violence_by_deprivation_decile"
    )


def check_published(true: int, value, suppressed: bool, key) -> None:
    if suppressed:
        assert value is None and true >= 1, key
    elif true == 0:
        assert value == 0, key
    else:
        assert value % 5 == 0 and abs(value - true) <= 2, (key, value, true)


def test_each_school_aged_suspect_counts_once_by_sex_and_by_ethnic_group(built: Build):
    con = built.connect()
    exact = defaultdict(int)
    persons = con.execute(
        "select coalesce(sex, 'U'), coalesce(ethnicity, 'not_recorded')"
        " from intermediate.int_school_aged_violent_offenders"
    ).fetchall()
    assert len(persons) > 100, "the fixture world has too few school-aged suspects"
    for sex, group in persons:
        for key in (("sex", sex), ("sex", "all"), ("ethnicity", group), ("ethnicity", "all")):
            exact[key] += 1
    rows = con.execute(
        "select replace(check_name, 'school_aged_suspects_by_', ''), breakdown,"
        " suspects_of_school_age, suspects_of_school_age_suppressed, is_suspect_data_available"
        " from marts.fct_bias_checks where check_name like 'school_aged%'"
    ).fetchall()
    assert {(c, b) for c, b, *_ in rows} == {
        *(("sex", s) for s in ("M", "F", "U", "all")),
        *(("ethnicity", g) for g in [*ETHNIC_GROUPS, "not_recorded", "all"]),
    }
    for check, breakdown, value, suppressed, available in rows:
        assert available
        check_published(exact[(check, breakdown)], value, suppressed, (check, breakdown))


def resident_shares(raw_dir) -> dict[str, float]:
    """Each group's share of residents aged 10-17, from the generator's census file (whose
    bands 10-15 and 16-17 cover exactly those ages)."""
    totals = defaultdict(float)
    with open(raw_dir / "lsoa_ethnicity.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["age_band"] in ("10-15", "16-17"):
                totals[row["ethnic_group"]] += float(row["population"])
    return {group: count / sum(totals.values()) for group, count in totals.items()}


def test_suspects_are_in_proportion_to_the_children_of_their_home_areas(built: Build):
    """The generator draws each person's ethnic group from the mix of their home LSOA, so
    against their home areas school-aged suspects are in proportion (ratio 1), whatever the
    force-wide mix; the force-wide shares are the census file's."""
    rows = (
        built.connect()
        .execute(
            "select breakdown, suspect_share, resident_share, resident_share_of_home_areas,"
            " ratio_to_home_areas, ratio_to_home_areas_lower, ratio_to_home_areas_upper,"
            " is_census_ethnicity_available, is_census_all_ages from marts.fct_bias_checks"
            " where check_name = 'school_aged_suspects_by_ethnicity'"
            " and breakdown not in ('all', 'not_recorded')"
        )
        .fetchall()
    )
    expected = resident_shares(built.world.raw_dir)
    assert {r[0] for r in rows} == set(ETHNIC_GROUPS)
    assert abs(sum(r[3] for r in rows) - 1) < 1e-4, "home-area shares must sum to 1"
    intervals_holding_one = 0
    for group, share, resident, _home, ratio, lower, upper, available, all_ages in rows:
        assert available and not all_ages
        assert abs(resident - expected[group]) < 1e-5, (group, resident, expected[group])
        if share is None:
            continue
        assert lower <= ratio <= upper, group
        assert abs(ratio - 1) < 0.4, (group, ratio)
        intervals_holding_one += lower <= 1 <= upper
    assert intervals_holding_one >= 4, rows


def test_the_priority_list_check_compares_the_top_with_and_without_proactive_offences(
    built: Build,
):
    con = built.connect()
    row = con.execute(
        "select breakdown, top_schools, top_schools_kept_without_proactive,"
        " top_schools_kept_share, rank_correlation_without_proactive"
        " from marts.fct_bias_checks where check_name = 'priority_list_without_proactive'"
    ).fetchone()
    top_n = int(row[0].removeprefix("top_"))
    exact = con.execute(
        f"""
        select count(*) filter (where priority_rank_all_offences <= {top_n}),
            count(*) filter (where priority_rank_all_offences <= {top_n}
                and priority_rank_without_proactive <= {top_n})
        from intermediate.int_school_priority_without_proactive
        """
    ).fetchone()
    assert row[1:3] == exact and row[1] >= top_n
    assert abs(row[3] - row[2] / row[1]) < 1e-4
    # About a tenth of the fixture world's violence is proactive, spread like the rest: the
    # list barely moves (the unit test of int_school_priority_without_proactive shows a
    # school that rests on proactive offences falling).
    assert row[4] > 0.9 and row[3] >= 0.6, row


def test_new_candidates_are_broken_down_by_every_group_once(built: Build):
    con = built.connect()
    schools, candidates = con.execute(
        "select count(*), count(*) filter (where is_new_candidate)"
        " from marts.fct_school_exposure where priority_rank is not null"
    ).fetchone()
    assert candidates > 0
    rows = con.execute(
        "select breakdown_type, sum(schools), sum(new_candidates), sum(share_of_schools),"
        " sum(share_of_new_candidates), count(*)"
        " from marts.fct_new_candidate_mix group by breakdown_type"
    ).fetchall()
    assert {r[0] for r in rows} == {"phase", "school_type", "local_authority", "deprivation_decile"}
    for kind, in_groups, candidates_in_groups, school_shares, candidate_shares, _ in rows:
        assert in_groups == schools and candidates_in_groups == candidates, kind
        assert abs(school_shares - 1) < 1e-4 and abs(candidate_shares - 1) < 1e-4, kind
    deciles = {
        b
        for (b,) in con.execute(
            "select breakdown from marts.fct_new_candidate_mix"
            " where breakdown_type = 'deprivation_decile'"
        ).fetchall()
    }
    assert {str(d) for d in range(1, 11)} <= deciles
    # Every share's interval holds it.
    assert (
        con.execute(
            "select count(*) from marts.fct_new_candidate_mix where schools > 0 and not"
            " (new_candidate_share between new_candidate_share_lower"
            " and new_candidate_share_upper)"
        ).fetchone()[0]
        == 0
    )


def test_exposure_by_decile_is_the_pupil_weighted_mean_of_the_published_index(built: Build):
    """Recomputed from the VRU mart and the deprivation file: the schools of each decile of
    their own LSOA, and the pupil-weighted mean exposure_index, null below the threshold."""
    con = built.connect()
    expected = {
        decile: (schools, mean)
        for decile, schools, mean in con.execute(
            """
            select coalesce(cast(deprivation.imd_decile as varchar), 'unknown'), count(*),
                sum(exposure.pupils_on_roll * exposure.exposure_index)
                / sum(exposure.pupils_on_roll) filter (where exposure.exposure_index is not null)
            from marts.fct_school_exposure as exposure
            inner join intermediate.int_school_rolls as rolls using (urn)
            left join staging.stg_mhclg__deprivation as deprivation
                on rolls.lsoa_code = deprivation.lsoa_code
            group by all
            """
        ).fetchall()
    }
    published_rows = con.execute(
        "select breakdown, ranked_schools, mean_exposure_index from marts.fct_bias_checks"
        " where check_name = 'exposure_by_deprivation_decile'"
    ).fetchall()
    assert {str(d) for d in range(1, 11)} <= {b for b, _, _ in published_rows}
    min_count = project_vars()["disclosure_min_count"]
    for breakdown, schools, mean in published_rows:
        true_schools, true_mean = expected.get(breakdown, (0, None))
        assert schools == true_schools, breakdown
        if schools < min_count:
            assert mean is None, breakdown
        else:
            assert mean == pytest.approx(true_mean, abs=1e-4), breakdown
    assert sum(s for _, s, _ in published_rows) == sum(s for s, _ in expected.values())
