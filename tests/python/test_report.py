"""scripts/report.py on the fixture build: both editions render, self-contained, with their
sections and charts; the public edition names no school and shows no small count; and a
headless Chromium opens each one as a reader would (no console error, a screenshot saved
under target/). Chromium is Debian's `chromium` package: .ci/run installs it and sets
REQUIRE_CHROMIUM=1, so in CI a missing browser fails instead of skipping."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import PROJECT_DIR, SCRIPTS_DIR, Build, project_vars

VRU_SECTIONS = ["method", "ranks", "candidates", "schools-map", "funnel", "authorities", "changes"]
COMMON_SECTIONS = ["method", "areas", "bias", "quality", "reading"]
SCHOOL_ONLY_SECTIONS = ["ranks", "candidates", "schools-map", "funnel", "authorities", "changes"]


@pytest.fixture(scope="module")
def report(built: Build, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPTS_DIR / "report.py"),
            "--db",
            str(built.db_path),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "[report" in result.stderr  # progress while it renders
    return {edition: (out / f"{edition}.html") for edition in ("vru", "public")}


def section_ids(text: str) -> set[str]:
    return set(re.findall(r'<section id="([^"]+)"', text))


def test_each_edition_has_its_sections_and_charts(report):
    vru = report["vru"].read_text(encoding="utf-8")
    public = report["public"].read_text(encoding="utf-8")
    assert set(VRU_SECTIONS + COMMON_SECTIONS) <= section_ids(vru)
    assert set(COMMON_SECTIONS) <= section_ids(public)
    assert not set(SCHOOL_ONLY_SECTIONS) & section_ids(public)
    # vru: caterpillar, school map, funnel, area map, histogram, deciles; public: the last three.
    assert vru.count("<svg") >= 6 and public.count("<svg") >= 3


def test_each_edition_is_self_contained(report):
    for path in report.values():
        text = path.read_text(encoding="utf-8")
        # Nothing fetched: no external script, stylesheet, image or font.
        assert not re.search(r'(src|href)="(https?:)?//', text), path.name
        assert "<link" not in text and "url(http" not in text and "@import" not in text


def test_the_public_edition_names_no_school_and_shows_no_small_count(built: Build, report):
    text = report["public"].read_text(encoding="utf-8")
    with open(built.world.raw_dir / "schools.csv", newline="", encoding="utf-8") as handle:
        schools = list(csv.DictReader(handle))
    assert schools
    named = [s["EstablishmentName"] for s in schools if s["EstablishmentName"] in text]
    assert named == []
    # A URN as a number on its own, not part of a longer number such as an SVG coordinate.
    urns = [s["URN"] for s in schools if re.search(rf"(?<![\d.]){s['URN']}(?![\d.])", text)]
    assert urns == []
    minimum = project_vars()["disclosure_min_count"]
    for path in report.values():
        shown = [
            int(v.replace(",", ""))
            for v in re.findall(r'<span class="count">([\d,]+)</span>', path.read_text("utf-8"))
        ]
        assert shown, path.name
        assert [v for v in shown if 0 < v < minimum] == [], path.name


def test_the_vru_edition_shows_the_top_schools_with_their_intervals(built: Build, report):
    text = report["vru"].read_text(encoding="utf-8")
    con = built.connect()
    top = con.execute(
        "select school_name, priority_rank, priority_rank_lower, priority_rank_upper"
        " from marts.fct_school_exposure where priority_rank <= ? order by priority_rank, urn",
        [project_vars()["priority_top_n"]],
    ).fetchall()
    assert top
    for name, rank, lower, upper in top:
        assert f"<td>{rank:,} <small>({lower:,}&ndash;{upper:,})</small></td>" in text
        assert name.replace("&", "&amp;").replace("'", "&#x27;") in text


def test_a_top_that_cannot_be_told_apart_is_flagged_above_the_list(built: Build, report):
    """When fct_data_quality's rank check misses its threshold (too few offences to order
    the schools), the VRU edition says so above the top of the list, where its reader looks
    before any name; the fixture world's ranks are told apart, and its report says nothing."""
    import report as script  # noqa: PLC0415  (scripts/ is on the path in conftest)

    failing = {"meets_threshold": False, "share": 0.92, "denominator": 50}
    banner = script.rank_caution(failing)
    assert "These ranks cannot be told apart" in banner
    assert "92% of the top 50 schools" in banner
    for passing in (dict(failing, meets_threshold=True), dict(failing, meets_threshold=None)):
        assert script.rank_caution(passing) == ""
    assert script.rank_caution(None) == ""
    (met,) = (
        built.connect()
        .execute(
            "select meets_threshold from marts.fct_data_quality"
            " where check_name = 'top_rank_reaches_bottom_half'"
        )
        .fetchone()
    )
    assert met is True
    text = report["vru"].read_text(encoding="utf-8")
    assert "Top of the priority list" in text and "These ranks cannot be told apart" not in text


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.parametrize("edition", ["vru", "public"])
def test_a_browser_opens_each_edition_without_errors(report, edition):
    browser = chromium()
    if browser is None:
        if os.environ.get("REQUIRE_CHROMIUM") == "1":
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    url = report[edition].resolve().as_uri()
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run(
        [
            *flags,
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    # The page's own script ran to its end, and its sections and charts are in the DOM.
    assert 'data-rendered="yes"' in dom.stdout
    assert set(COMMON_SECTIONS) <= section_ids(dom.stdout)
    assert "<svg" in dom.stdout
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == [], console
    target = PROJECT_DIR / "target"
    target.mkdir(exist_ok=True)
    shot = target / f"report-{edition}.png"
    shot.unlink(missing_ok=True)
    result = subprocess.run(
        [*flags, "--window-size=1200,2400", f"--screenshot={shot}", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and shot.stat().st_size > 10_000, result.stderr[-2000:]
