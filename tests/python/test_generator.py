"""Tests of the synthetic extract generator (scripts/generate_synthetic_extract.py).

The generator runs three times (in parallel, once per session) at a small scale; the tests then
check determinism, sizes, the file contract, the broken rows and the ground truth.
"""

import csv
import json
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from spatial_extension import load_spatial
from synthetic import defects

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "scripts" / "generate_synthetic_extract.py"
SCALE = 0.02
BAD_FRACTION = 0.01
RUNS = {"first": 42, "repeat": 42, "other_seed": 7}

RAW_COLUMNS = {
    "offences.csv": [
        "crime_ref",
        "ho_offence_code",
        "offence_title",
        "committed_from",
        "committed_to",
        "recorded_at",
        "easting",
        "northing",
        "location_type",
        "knife_flag",
        "proactive_flag",
        "status",
    ],
    "offence_persons.csv": [
        "crime_ref",
        "person_ref",
        "role",
        "date_of_birth",
        "sex",
        "ethnicity",
        "home_easting",
        "home_northing",
        "home_lsoa_code",
        "school_urn",
    ],
    "schools.csv": [
        "URN",
        "EstablishmentName",
        "TypeOfEstablishment (name)",
        "EstablishmentStatus (name)",
        "PhaseOfEducation (name)",
        "StatutoryLowAge",
        "StatutoryHighAge",
        "NumberOfPupils",
        "LA (code)",
        "LA (name)",
        "Easting",
        "Northing",
        "ReligiousCharacter (name)",
        "AdmissionsPolicy (name)",
    ],
    "lsoa_lookup.csv": [
        "LSOA21CD",
        "LSOA21NM",
        "MSOA21CD",
        "MSOA21NM",
        "WD24CD",
        "WD24NM",
        "LAD24CD",
        "LAD24NM",
    ],
    "lsoa_population.csv": ["lsoa_code", "age", "population"],
    "lsoa_ethnicity.csv": ["lsoa_code", "age_band", "ethnic_group", "population"],
    "pupil_residence.csv": ["urn", "lsoa_code", "pupils"],
    "deprivation.csv": ["lsoa_code", "imd_score", "imd_decile"],
    "vru_schools.csv": ["urn", "programme", "added_on"],
    "school_holidays.csv": ["start_date", "end_date", "description"],
}
TRUTH_COLUMNS = {
    "pupil_flows.csv": ["urn", "lsoa_code", "pupils"],
    "offender_schools.csv": ["person_ref", "urn", "home_lsoa_code"],
    "offence_locations.csv": ["crime_ref", "lsoa_code"],
    "bad_rows.csv": ["file", "row_number", "key", "reason"],
}
# The defects the generator injects, by file (each must be a reason the pipeline gives).
OFFENCE_REASONS = set(defects.OFFENCE_DEFECTS)
PERSON_REASONS = set(defects.PERSON_DEFECTS)
SCHOOL_REASONS = set(defects.SCHOOL_DEFECTS)
ROLES = {"SUSPECT", "OFFENDER", "VICTIM", "WITNESS"}


def run_generator(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(GENERATOR), *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> dict:
    """{run name: directory holding raw/ and truth/}."""
    root = tmp_path_factory.mktemp("synthetic")
    processes = {
        name: subprocess.Popen(
            [
                sys.executable,
                str(GENERATOR),
                "--scale",
                str(SCALE),
                "--seed",
                str(seed),
                "--bad-fraction",
                str(BAD_FRACTION),
                "--out",
                str(root / name / "raw"),
                "--truth-out",
                str(root / name / "truth"),
                "--quiet",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, seed in RUNS.items()
    }
    for name, process in processes.items():
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, f"generator run {name} failed:\n{stderr}"
    return {name: root / name for name in RUNS}


def read_rows(path: Path) -> list:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list:
    with open(path, newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def parse_timestamp(text: str):
    """The contract's two timestamp styles, else None."""
    for style in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, style)
        except ValueError:
            pass
    return None


def parse_date(text: str):
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def is_integer(text: str) -> bool:
    return text.lstrip("-").isdigit()


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@pytest.fixture(scope="module")
def extract(generated) -> dict:
    """The first run's files, with bad rows split from clean rows."""
    raw, truth = generated["first"] / "raw", generated["first"] / "truth"
    bad = defaultdict(dict)
    for row in read_rows(truth / "bad_rows.csv"):
        bad[row["file"]][int(row["row_number"])] = row
    files = {
        name: read_rows(raw / name)
        for name in ("offences.csv", "offence_persons.csv", "schools.csv")
    }
    clean = {
        name: [r for i, r in enumerate(rows, 1) if i not in bad[name]]
        for name, rows in files.items()
    }
    boundary = json.loads((raw / "lsoa_boundaries.geojson").read_text(encoding="utf-8"))
    points = [p for f in boundary["features"] for p in f["geometry"]["coordinates"][0]]
    return {
        "raw": raw,
        "truth": truth,
        "files": files,
        "clean": clean,
        "bad": bad,
        "boundary": boundary,
        "bbox": (
            min(p[0] for p in points),
            min(p[1] for p in points),
            max(p[0] for p in points),
            max(p[1] for p in points),
        ),
        "codes": {r["ho_offence_code"] for r in read_rows(REPO / "seeds" / "offence_classes.csv")},
        "manifest": json.loads((truth / "manifest.json").read_text(encoding="utf-8")),
    }


def test_same_seed_gives_identical_files(generated):
    for part in ("raw", "truth"):
        first = sorted(p.name for p in (generated["first"] / part).iterdir())
        repeat = sorted(p.name for p in (generated["repeat"] / part).iterdir())
        assert first == repeat
        for name in first:
            assert (generated["first"] / part / name).read_bytes() == (
                generated["repeat"] / part / name
            ).read_bytes(), f"{part}/{name} differs"


def test_different_seed_gives_different_offences(generated):
    first = (generated["first"] / "raw" / "offences.csv").read_bytes()
    other = (generated["other_seed"] / "raw" / "offences.csv").read_bytes()
    assert first != other


def test_every_file_has_the_contract_columns(extract):
    for name, columns in RAW_COLUMNS.items():
        assert header(extract["raw"] / name) == columns, name
    for name, columns in TRUTH_COLUMNS.items():
        assert header(extract["truth"] / name) == columns, name
    assert extract["boundary"]["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::27700"
    for feature in extract["boundary"]["features"]:
        assert set(feature["properties"]) == {"LSOA21CD", "LSOA21NM"}
        assert feature["geometry"]["type"] == "Polygon"


def test_clean_row_counts_follow_scale(extract):
    assert abs(len(extract["clean"]["offences.csv"]) / (SCALE * 400_000) - 1) <= 0.15
    assert abs(len(extract["clean"]["offence_persons.csv"]) / (SCALE * 600_000) - 1) <= 0.15
    manifest = extract["manifest"]
    assert manifest["seed"] == 42 and manifest["scale"] == SCALE
    for name in ("offences.csv", "offence_persons.csv", "schools.csv"):
        assert manifest["rows"]["raw"][name] == len(extract["files"][name])


def test_bad_rows_fraction_and_kinds(extract):
    for name, reasons in (
        ("offences.csv", OFFENCE_REASONS),
        ("offence_persons.csv", PERSON_REASONS),
        ("schools.csv", SCHOOL_REASONS),
    ):
        found = Counter(r["reason"] for r in extract["bad"][name].values())
        assert set(found) == reasons, name
        assert max(found.values()) - min(found.values()) <= 1, f"{name} kinds not evenly spread"
    for name in ("offences.csv", "offence_persons.csv"):
        n_clean, n_bad = len(extract["clean"][name]), len(extract["bad"][name])
        assert abs(n_bad / n_clean - BAD_FRACTION) < 0.1 * BAD_FRACTION
        rows = sorted(extract["bad"][name])
        assert (
            rows[0] < len(extract["files"][name]) / 4 and rows[-1] > len(extract["files"][name]) / 2
        )


def _offence_defect(reason: str, row: dict, earlier_refs: set, codes: set, bbox) -> bool:
    start, recorded = parse_timestamp(row["committed_from"]), parse_timestamp(row["recorded_at"])
    east, north = row["easting"], row["northing"]
    if reason == "missing_crime_ref":
        return row["crime_ref"] == ""
    if reason == "duplicate_crime_ref":
        return row["crime_ref"] in earlier_refs
    if reason == "unknown_offence_code":
        return row["ho_offence_code"] not in codes
    if reason == "unparseable_timestamp":
        return start is None or recorded is None
    if reason == "outside_study_area":
        return (
            is_integer(east)
            and is_integer(north)
            and not (bbox[0] <= int(east) <= bbox[2] and bbox[1] <= int(north) <= bbox[3])
        )
    if reason == "unparseable_coordinates":
        return not (is_integer(east) and is_integer(north))
    if reason == "inconsistent_timestamps":
        return parse_timestamp(row["committed_to"]) < start
    if reason == "committed_after_recorded":
        return start > recorded
    raise AssertionError(reason)


def test_bad_offence_rows_have_their_defect(extract):
    seen, bad = set(), extract["bad"]["offences.csv"]
    for number, row in enumerate(extract["files"]["offences.csv"], 1):
        if number in bad:
            assert bad[number]["key"] == row["crime_ref"]
            assert _offence_defect(
                bad[number]["reason"], row, seen, extract["codes"], extract["bbox"]
            ), (number, row)
        seen.add(row["crime_ref"])


def test_bad_person_rows_have_their_defect(extract):
    offences = {r["crime_ref"]: r for r in extract["files"]["offences.csv"]}
    seen_rows, bad = set(), extract["bad"]["offence_persons.csv"]
    for number, row in enumerate(extract["files"]["offence_persons.csv"], 1):
        values = tuple(row.values())
        if number in bad:
            reason = bad[number]["reason"]
            if reason == "orphan_person_row":
                assert row["crime_ref"] not in offences
            elif reason == "missing_person_ref":
                assert row["person_ref"] == ""
            elif reason == "missing_role":
                assert row["role"] == ""
            elif reason == "impossible_date_of_birth":
                born = parse_date(row["date_of_birth"])
                day = parse_timestamp(offences[row["crime_ref"]]["committed_from"]).date()
                assert born is None or born > day or age_on(born, day) > 110
            else:
                assert reason == "duplicate_person_row" and values in seen_rows
        seen_rows.add(values)


def test_bad_school_rows_have_their_defect(extract):
    seen, bad = set(), extract["bad"]["schools.csv"]
    for number, row in enumerate(extract["files"]["schools.csv"], 1):
        if number in bad:
            if bad[number]["reason"] == "duplicate_urn":
                assert row["URN"] in seen
            else:
                assert row["Easting"] == "" or row["Northing"] == ""
        seen.add(row["URN"])


def test_clean_offences_are_valid(extract):
    rows = extract["clean"]["offences.csv"]
    x0, y0, x1, y1 = extract["bbox"]
    refs = [r["crime_ref"] for r in rows]
    assert all(refs) and len(set(refs)) == len(refs)
    assert {r["ho_offence_code"] for r in rows} <= extract["codes"]
    for r in rows:
        start, recorded = parse_timestamp(r["committed_from"]), parse_timestamp(r["recorded_at"])
        assert start is not None and recorded is not None and recorded > start
        assert r["committed_to"] == "" or parse_timestamp(r["committed_to"]) >= start
        assert (r["easting"] == r["northing"] == "") or (
            x0 <= int(r["easting"]) <= x1 and y0 <= int(r["northing"]) <= y1
        )
        assert r["status"] in ("", "confirmed", "cancelled")
    # No clock in England shows 01:00-01:59 on the last Sunday of March (summer time begins)
    for column in ("committed_from", "committed_to", "recorded_at"):
        times = [parse_timestamp(r[column]) for r in rows if r[column]]
        assert not [
            t for t in times if t.month == 3 and t.day > 24 and t.weekday() == 6 and t.hour == 1
        ], column
    violent = {
        r["ho_offence_code"]
        for r in read_rows(REPO / "seeds" / "offence_classes.csv")
        if r["category"] not in ("sexual offences", "other")
    }
    share = sum(r["ho_offence_code"] in violent for r in rows) / len(rows)
    assert 0.55 < share < 0.75
    before_window = sum(r["committed_from"] < "2022-01-01" for r in rows) / len(rows)
    assert 0.01 < before_window < 0.06


def test_clean_persons_are_valid(extract):
    offences = {r["crime_ref"]: r for r in extract["clean"]["offences.csv"]}
    rows = extract["clean"]["offence_persons.csv"]
    keys = [(r["crime_ref"], r["person_ref"], r["role"]) for r in rows]
    assert len(set(keys)) == len(keys)
    people = defaultdict(set)
    school_aged_suspects = suspects = 0
    for r in rows:
        assert r["crime_ref"] in offences and r["person_ref"] and r["role"] in ROLES
        if r["date_of_birth"]:
            born = parse_date(r["date_of_birth"])
            day = parse_timestamp(offences[r["crime_ref"]]["committed_from"]).date()
            assert born is not None and born < day and age_on(born, day) <= 110
            people[r["person_ref"]].add((r["date_of_birth"], r["sex"], r["ethnicity"]))
            if r["role"] in ("SUSPECT", "OFFENDER"):
                suspects += 1
                school_aged_suspects += 10 <= age_on(born, day) <= 17
    assert all(len(facts) == 1 for facts in people.values()), "a person's facts changed"
    assert 0.12 < school_aged_suspects / suspects < 0.30
    appearances = Counter(r["person_ref"] for r in rows)
    assert sum(n > 1 for n in appearances.values()) > 0.05 * len(appearances)


def test_pupil_flows_match_numbers_on_roll(extract):
    flows = defaultdict(int)
    for r in read_rows(extract["truth"] / "pupil_flows.csv"):
        flows[r["urn"]] += int(r["pupils"])
    schools = extract["clean"]["schools.csv"]
    given = [s for s in schools if s["NumberOfPupils"]]
    assert 0.9 * len(schools) < len(given) < len(schools)
    for s in given:
        assert flows[s["URN"]] == int(s["NumberOfPupils"]), s["URN"]
    open_urns = {s["URN"] for s in schools if s["EstablishmentStatus (name)"] == "Open"}
    assert set(flows) == open_urns


def test_recorded_schools_and_offenders_match_truth(extract):
    truth = {r["person_ref"]: r for r in read_rows(extract["truth"] / "offender_schools.csv")}
    assert truth
    recorded = defaultdict(set)
    suspects = set()
    for r in extract["clean"]["offence_persons.csv"]:
        if r["school_urn"]:
            recorded[r["person_ref"]].add(r["school_urn"])
        if r["role"] in ("SUSPECT", "OFFENDER"):
            suspects.add(r["person_ref"])
    assert set(truth) <= suspects
    assert all(len(urns) == 1 for urns in recorded.values())
    checked = [p for p in recorded if p in truth]
    assert checked
    for person in checked:
        assert recorded[person] == {truth[person]["urn"]}


def test_geography_files_agree(extract):
    lookup = read_rows(extract["raw"] / "lsoa_lookup.csv")
    codes = [r["LSOA21CD"] for r in lookup]
    assert 1500 < len(codes) < 1900 and len(set(codes)) == len(codes)
    assert [f["properties"]["LSOA21CD"] for f in extract["boundary"]["features"]] == codes
    assert all(len(c) == 9 and c.startswith("E019") for c in codes)
    assert len({r["LAD24CD"] for r in lookup}) == 7
    assert {(r["MSOA21CD"], r["LAD24CD"]) for r in lookup} and len(
        {r["MSOA21CD"] for r in lookup}
    ) == len({(r["MSOA21CD"], r["LAD24CD"]) for r in lookup})
    population = read_rows(extract["raw"] / "lsoa_population.csv")
    assert len(population) == 91 * len(codes)
    assert 2_500_000 < sum(int(r["population"]) for r in population) < 3_300_000
    deciles = Counter(int(r["imd_decile"]) for r in read_rows(extract["raw"] / "deprivation.csv"))
    assert 0.18 < deciles[1] / len(codes) < 0.32
    catchment = extract["manifest"]["world"]["mean_home_school_km"]
    assert abs(catchment["primary"] - 2.0) < 0.2 and abs(catchment["secondary"] - 4.0) < 0.4


def test_boundaries_tile_and_hold_the_offence_points(extract):
    con = duckdb.connect()
    load_spatial(con)
    raw, truth = extract["raw"].as_posix(), extract["truth"].as_posix()
    con.execute(f"CREATE TABLE area AS SELECT * FROM ST_Read('{raw}/lsoa_boundaries.geojson')")
    valid, total, union = con.execute(
        "SELECT bool_and(ST_IsValid(geom)), sum(ST_Area(geom)), ST_Area(ST_Union_Agg(geom)) "
        "FROM area"
    ).fetchone()
    assert valid and abs(total - union) < 1.0  # no overlaps
    assert 700e6 < total < 1100e6
    misplaced = con.execute(f"""
        SELECT count(*) FROM read_csv('{truth}/offence_locations.csv', all_varchar = true) t
        JOIN read_csv('{raw}/offences.csv', all_varchar = true) o USING (crime_ref)
        JOIN area a ON a.LSOA21CD = t.lsoa_code
        WHERE NOT ST_Contains(a.geom, ST_Point(o.easting::DOUBLE, o.northing::DOUBLE))
    """).fetchone()[0]
    assert misplaced == 0


def test_help_exits_zero():
    result = run_generator("--help")
    assert result.returncode == 0
    assert "synthetic" in result.stdout.lower() and "--bad-fraction" in result.stdout


@pytest.mark.parametrize(
    "args", [("--scale", "0"), ("--scale", "abc"), ("--bad-fraction", "0.7"), ("--seed", "-1")]
)
def test_bad_argument_is_a_clear_error(args, tmp_path):
    result = run_generator(
        *args, "--out", str(tmp_path / "raw"), "--truth-out", str(tmp_path / "truth")
    )
    assert result.returncode != 0
    assert "error" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "raw").exists()


def test_every_injected_defect_is_a_reject_reason_of_its_file():
    """The generator reads the pipeline's seed of reasons: a defect kind it injects is one
    the staging models give that file, so the demo never expects a reason that cannot be."""
    listed = defects.listed_reject_reasons()
    for file, kinds in defects.DEFECTS_BY_FILE.items():
        assert set(kinds) <= listed[file], (file, set(kinds) - listed[file])
    defects.check_defects_are_listed()
