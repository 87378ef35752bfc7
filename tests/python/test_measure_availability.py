"""Measures the data cannot support are unavailable, never zero: with no person rows (as in
public data) the offender, youth and commute measures are null with a reason, and the
priority score is the other measures' alone."""

from __future__ import annotations

import duckdb
import pytest

from conftest import World, dbt_env, run_dbt


@pytest.fixture(scope="module")
def without_persons(world: World, tmp_path_factory):
    import shutil

    work = tmp_path_factory.mktemp("no_persons")
    raw = work / "raw"
    shutil.copytree(world.raw_dir, raw)
    header = (raw / "offence_persons.csv").read_text(encoding="utf-8").splitlines()[0]
    (raw / "offence_persons.csv").write_text(header + "\n", encoding="utf-8")
    db = work / "db.duckdb"
    result = run_dbt(
        ["build", "--exclude-resource-type", "unit_test"],
        dbt_env(raw, db, "k" * 64),
        work / "target",
        work / "logs",
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return duckdb.connect(str(db), read_only=True)


def test_measures_without_persons_are_unavailable_with_a_reason(without_persons):
    rows = dict(
        without_persons.execute(
            "select measure, unavailable_reason from marts.dim_priority_measures"
            " where not is_available"
        ).fetchall()
    )
    assert set(rows) == {
        "school_aged_violent_offenders_per_1000_pupils",
        "near_school_commute_violence",
    }
    assert all("no person rows" in reason for reason in rows.values())
    weights = dict(
        without_persons.execute(
            "select measure, priority_weight_used from marts.dim_priority_measures"
        ).fetchall()
    )
    assert weights["school_aged_violent_offenders_per_1000_pupils"] == 0
    assert weights["exposure_violence_rate"] == pytest.approx(0.4 / 0.6)


def test_unavailable_school_measures_are_null_not_zero(without_persons):
    schools, offenders, near, suppressed, measures = without_persons.execute(
        """
        select count(*), count(school_aged_violent_offenders),
            count(near_school_commute_violence),
            count(*) filter (where school_aged_violent_offenders_suppressed),
            string_agg(distinct priority_measures)
        from marts.fct_school_exposure
        """
    ).fetchone()
    assert schools > 100
    assert (offenders, near, suppressed) == (0, 0, 0)
    assert measures == "exposure_violence_rate, pupils_from_high_violence_areas"


def test_unavailable_youth_violence_is_null_in_every_area(without_persons):
    youth, rates, flags = without_persons.execute(
        "select count(youth_violent_offences), count(youth_violent_rate_per_1000_per_year),"
        " count(is_high_youth_violence) from marts.fct_area_violence"
    ).fetchone()
    assert (youth, rates, flags) == (0, 0, 0)


def test_ranks_rest_on_the_available_measures(without_persons):
    """Unavailable measures add no noise: the top schools' rank intervals stay narrow."""
    width = without_persons.execute(
        "select median(priority_rank_upper - priority_rank_lower) from ("
        " select * from marts.fct_school_exposure order by priority_rank limit 20)"
    ).fetchone()[0]
    schools = without_persons.execute("select count(*) from marts.fct_school_exposure").fetchone()[
        0
    ]
    assert width < schools / 10
