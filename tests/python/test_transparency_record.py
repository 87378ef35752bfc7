"""scripts/transparency_record.py on the fixture build: the record has every section of the
ATRS v4 template, says what the project's metadata says (vars, marts and their audience,
the measures used), names no school, and lists every field left for the force."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT_DIR, SCRIPTS_DIR, project_vars

SCRIPT = SCRIPTS_DIR / "transparency_record.py"

# The ATRS v4 template: Tier 1 summary information and the eight sections of Tier 2.
HEADINGS = [
    "## Tier 1: Summary information",
    "### Why it is used",
    "### How it works",
    "## Tier 2: 1. Owner and responsibility",
    "## Tier 2: 2. Description and rationale",
    "## Tier 2: 3. Deployment context",
    "### Human review",
    "### Appeals and review",
    "## Tier 2: 4. Tool specification",
    "### System architecture",
    "### Phase",
    "### Maintenance",
    "## Tier 2: 5. Model specification",
    "### Models",
    "### Model performance and validation",
    "## Tier 2: 6. Development data",
    "## Tier 2: 7. Operational data",
    "## Tier 2: 8. Risks, mitigations and impact assessments",
    "### Impact assessments",
    "## Checklist: fields the force must complete",
]
# Fields only the force can give: the record must leave each of them to it.
FORCE_FIELDS = [
    "senior responsible owner",
    "contact email",
    "DPIA",
    "equality impact assessment",
    "procurement",
    "information-sharing agreement",
    "go-live date",
]
TO_COMPLETE = re.compile(r"\*\*\[TO BE COMPLETED BY THE FORCE: (.+?)\]\*\*")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def record(built, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("transparency") / "transparency-record.md"
    result = run(
        "--db",
        str(built.db_path),
        "--manifest",
        str(built.target_dir / "manifest.json"),
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "[transparency_record] wrote" in result.stderr
    return out.read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    start = text.index(heading + "\n") + len(heading)
    following = re.search(rf"^#{{1,{len(level)}}} ", text[start:], re.MULTILINE)
    return text[start : start + following.start()] if following else text[start:]


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the markdown tables in text, cells stripped of backticks."""
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            rows.append([cell.strip().strip("`") for cell in line.strip("|").split(" | ")])
    return rows


def test_every_atrs_v4_section_is_present(record):
    missing = [heading for heading in HEADINGS if f"\n{heading}\n" not in record]
    assert not missing, missing
    positions = [record.index(f"\n{heading}\n") for heading in HEADINGS]
    assert positions == sorted(positions), "the sections are out of the template's order"


def test_the_vars_are_dbt_project_ymls(record):
    rows = table_rows(section(record, "### Definitions (dbt_project.yml vars)"))
    in_record = {name: yaml.safe_load(value) for name, value, *_ in rows[1:]}
    assert in_record == project_vars()
    assert in_record["disclosure_min_count"] == project_vars()["disclosure_min_count"]


def test_every_mart_appears_with_its_audience(built, record):
    import json

    manifest = json.loads((built.target_dir / "manifest.json").read_text())
    expected = {
        node["name"]: node["config"]["meta"]["audience"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    }
    rows = table_rows(section(record, "### Detailed description and scope"))
    assert {name: audience for name, audience, *_ in rows[1:]} == expected


def test_the_unavailable_measures_are_dim_priority_measures(built, record):
    with built.connect() as con:
        measures = con.execute(
            "select measure, is_available from marts.dim_priority_measures"
        ).fetchall()
    unavailable = {m for m, available in measures if not available}
    line = re.search(r"Measures unavailable in this build: (.+?)\. ", record).group(1)
    listed = set() if line == "none" else set(re.findall(r"`(\w+)`", line))
    assert listed == unavailable
    rows = table_rows(section(record, "### Model input and output"))
    assert {m: a == "yes" for m, _, a, *_ in rows[1:]} == dict(measures)


def test_an_unavailable_measure_is_listed_with_its_reason(built):
    """The fixture world supports every measure, so mark one unavailable as open-data mode
    would and check that the record says so, with the reason."""
    sys.path.insert(0, str(SCRIPTS_DIR))
    import transparency_record as tr

    with built.connect() as con:
        db = tr.read_database(con)
    db["measures"][-1] |= {"is_available": False, "unavailable_reason": "no times of day"}
    ctx = {
        "manifest": tr.read_manifest(built.target_dir / "manifest.json"),
        "vars": project_vars(),
        "db": db,
        "validation": [],
    }
    text, _ = tr.render(ctx)
    name = db["measures"][-1]["measure"]
    assert f"Measures unavailable in this build: `{name}`." in text
    assert "no times of day" in text


def school_identifiers(raw_dir: Path) -> tuple[set[str], set[str]]:
    """URNs and names of every school in the world's GIAS file (either column layout)."""
    data = (raw_dir / "schools.csv").read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # GIAS as the DfE publishes it
    urns, names = set(), set()
    for row in csv.DictReader(text.splitlines()):
        urn = row.get("URN") or row.get("urn")
        name = row.get("EstablishmentName") or row.get("school_name")
        if urn:
            urns.add(urn.strip())
        if name:
            names.add(name.strip().lower())
    return urns, names


def test_no_school_is_named(built, record):
    urns, names = school_identifiers(built.world.raw_dir)
    assert urns and names
    lowered = record.lower()
    assert not [u for u in urns if re.search(rf"(?<!\d){u}(?!\d)", record)]
    assert not [n for n in names if n in lowered]


def test_every_field_for_the_force_is_in_the_checklist(record):
    body, checklist = record.split("\n## Checklist: fields the force must complete\n")
    fields = TO_COMPLETE.findall(body)
    assert fields
    items = re.findall(r"^- \[ \] (.+)$", checklist, re.MULTILINE)
    assert set(fields) == set(items)
    for wanted in FORCE_FIELDS:
        assert any(wanted.lower() in field.lower() for field in fields), wanted


def test_no_figure_is_invented_for_validation(record):
    validation = section(record, "### Model performance and validation")
    assert "not measured in this run" in validation.lower()
    assert "scripts/evaluate_worlds.py" in validation


def test_a_missing_database_is_named(built, tmp_path):
    missing = tmp_path / "no-such.duckdb"
    result = run(
        "--db",
        str(missing),
        "--manifest",
        str(built.target_dir / "manifest.json"),
        "--out",
        str(tmp_path / "record.md"),
    )
    assert result.returncode != 0
    assert str(missing) in result.stderr and "make build" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "record.md").exists()


def test_a_missing_manifest_is_named(built, tmp_path):
    missing = tmp_path / "manifest.json"
    result = run("--db", str(built.db_path), "--manifest", str(missing))
    assert result.returncode != 0
    assert str(missing) in result.stderr and "make build" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_build_time_is_shown_to_the_second_so_it_cannot_look_like_a_urn():
    """A build that started at .939701 s, in a world with a school of URN 939701, had its
    record refused as naming that school: the record shows build times to the second."""
    from datetime import UTC, datetime

    sys.path.insert(0, str(SCRIPTS_DIR))
    from transparency_record import leaked_identifiers, to_the_second

    started = datetime(2026, 12, 6, 13, 46, 1, 939701, tzinfo=UTC)
    assert leaked_identifiers(str(started), {"939701"}, set()) == ["URN 939701"]
    assert leaked_identifiers(str(to_the_second(started)), {"939701"}, set()) == []
    assert str(to_the_second(started)) == "2026-12-06 13:46:01+00:00"
    assert to_the_second("") == ""
