"""fct_data_quality against the fixture world's truth: the generator injects a known number of
bad rows of each kind (truth/bad_rows.csv), and knows which offences it placed (truth/
offence_locations.csv), so every count of the mart can be checked exactly."""

from __future__ import annotations

import csv
import json
from collections import Counter

from conftest import Build, project_vars

FILES_WITH_DEFECTS = ("offences.csv", "offence_persons.csv", "schools.csv")


def quality(built: Build) -> dict[tuple, tuple]:
    con = built.connect()
    rows = con.execute(
        "select source, check_name, coalesce(breakdown, ''), rows_counted, denominator, share,"
        " meets_threshold, detail from marts.fct_data_quality"
    ).fetchall()
    return {(source, check, breakdown): rest for source, check, breakdown, *rest in rows}


def truth_bad_rows(built: Build) -> Counter:
    with open(built.world.truth_dir / "bad_rows.csv", newline="", encoding="utf-8") as handle:
        return Counter((row["file"], row["reason"]) for row in csv.DictReader(handle))


def test_rejected_rows_by_file_and_reason_are_the_injected_ones(built: Build):
    checks = quality(built)
    expected = truth_bad_rows(built)
    reported = {
        (source, breakdown): counted
        for (source, check, breakdown), (counted, *_) in checks.items()
        if check == "rows_rejected_for_reason"
    }
    assert reported == dict(expected)
    manifest = json.loads((built.world.truth_dir / "manifest.json").read_text(encoding="utf-8"))
    for file_name, rows in manifest["rows"]["raw"].items():
        source = "lsoa_boundaries" if file_name.startswith("lsoa_boundaries") else file_name
        bad = sum(n for (name, _), n in expected.items() if name == file_name)
        assert checks[(source, "rows_read", "")][0] == rows, file_name
        assert checks[(source, "rows_rejected", "")][0] == bad, file_name
        assert checks[(source, "rows_staged", "")][0] == rows - bad, file_name
    assert all(name in manifest["rows"]["raw"] for name in FILES_WITH_DEFECTS)


def test_geocoding_hit_rate_is_the_share_of_rows_truly_placed(built: Build):
    """The generator placed these offences and wrote no bad row over them; every other row
    (no coordinates, or a defect) is not on the map."""
    with open(built.world.truth_dir / "offence_locations.csv", encoding="utf-8") as handle:
        placed = sum(1 for _ in csv.DictReader(handle))
    rows_read = quality(built)[("offences.csv", "rows_read", "")][0]
    counted, denominator, share, meets, _ = quality(built)[
        ("offences.csv", "geocoding_hit_rate", "")
    ]
    assert (counted, denominator) == (placed, rows_read)
    assert share == placed / rows_read
    assert meets is (share >= 0.85)


def test_missing_dates_of_birth_are_counted_among_staged_person_rows(built: Build):
    with open(built.world.truth_dir / "bad_rows.csv", newline="", encoding="utf-8") as handle:
        bad = {
            int(row["row_number"])
            for row in csv.DictReader(handle)
            if row["file"] == "offence_persons.csv"
        }
    with open(built.world.raw_dir / "offence_persons.csv", newline="", encoding="utf-8") as h:
        staged = [row for number, row in enumerate(csv.DictReader(h), 1) if number not in bad]
    missing = sum(1 for row in staged if not row["date_of_birth"].strip())
    counted, denominator, *_ = quality(built)[("offence_persons.csv", "missing_date_of_birth", "")]
    assert (counted, denominator) == (missing, len(staged))
    assert missing > 0, "the fixture world should have persons without a date of birth"


def test_every_month_from_first_to_last_is_shown_and_adds_up(built: Build):
    checks = quality(built)
    months = sorted(b for (s, c, b) in checks if c == "offences_in_month")
    first, last = months[0], months[-1]
    span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    assert len(months) == span
    staged = checks[("offences.csv", "rows_staged", "")][0]
    assert sum(v[0] for (s, c, b), v in checks.items() if c == "offences_in_month") == staged
    authorities = [v for (s, c, b), v in checks.items() if c == "offences_in_local_authority"]
    assert sum(v[0] for v in authorities) == staged
    # Inside the coverage every month is judged; outside it none is.
    start = checks[("offences.csv", "coverage_start_date", "")][-1][:7]
    end = checks[("offences.csv", "coverage_end_date", "")][-1][:7]
    for month in months:
        judged = checks[("offences.csv", "offences_in_month", month)][3] is not None
        assert judged == (start <= month <= end), month


def test_top_ranks_reaching_the_bottom_half_are_counted_from_the_published_ranks(
    built: Build,
):
    """The rank check counts, among the top priority_top_n, the schools whose 90% rank
    interval reaches the bottom half of the list; on the fixture world the ranks are told
    apart (a thinned extract that is not: test_broken_extracts.py)."""
    top_n = project_vars()["priority_top_n"]
    con = built.connect()
    ranked, top, reaching = con.execute(
        f"""
        with ranks as (
            select * from marts.fct_school_exposure where priority_rank is not null
        )
        select
            (select count(*) from ranks),
            count(*) filter (where priority_rank <= {top_n}),
            count(*) filter (
                where priority_rank <= {top_n}
                and priority_rank_upper > (select count(*) from ranks) / 2
            )
        from ranks
        """
    ).fetchone()
    assert ranked > 2 * top_n and top == top_n
    counted, denominator, _, met, _ = quality(built)[
        ("priority ranks", "top_rank_reaches_bottom_half", "")
    ]
    assert (counted, denominator) == (reaching, top)
    assert met is True
