"""Deliberately broken rows, added on top of the clean rows, for the pipeline's rejects models.

Each broken row has exactly one problem and is recorded with the reason code the pipeline is
expected to give it. Broken rows are new rows (the clean rows are exactly the simulated world),
scattered through the file; a duplicate always comes after the row it copies.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .extract import OFFENCE_COLUMNS, PERSON_COLUMNS, SCHOOL_COLUMNS

OFFENCE_DEFECTS = (
    "missing_crime_ref",
    "duplicate_crime_ref",
    "unknown_offence_code",
    "unparseable_timestamp",
    "outside_study_area",
    "unparseable_coordinates",
    "inconsistent_timestamps",
    "committed_after_recorded",
)
PERSON_DEFECTS = (
    "orphan_person_row",
    "missing_person_ref",
    "missing_role",
    "impossible_date_of_birth",
    "duplicate_person_row",
)
SCHOOL_DEFECTS = ("duplicate_urn", "missing_coordinates")
# The pipeline's list of reject reasons per file: every defect kind must be one of them.
REJECT_REASONS_SEED = Path(__file__).resolve().parents[2] / "seeds" / "reject_reasons.csv"
DEFECTS_BY_FILE = {
    "offences.csv": OFFENCE_DEFECTS,
    "offence_persons.csv": PERSON_DEFECTS,
    "schools.csv": SCHOOL_DEFECTS,
}


def listed_reject_reasons() -> dict[str, set[str]]:
    """seeds/reject_reasons.csv: the reasons the pipeline gives, by raw file."""
    reasons: dict[str, set[str]] = {}
    with open(REJECT_REASONS_SEED, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            reasons.setdefault(row["source_file"], set()).add(row["reject_reason"])
    return reasons


def check_defects_are_listed() -> None:
    """Fail early if the generator would inject a defect the pipeline has no reason for."""
    listed = listed_reject_reasons()
    for file, kinds in DEFECTS_BY_FILE.items():
        unlisted = set(kinds) - listed.get(file, set())
        if unlisted:
            raise ValueError(
                f"defects {sorted(unlisted)} of {file} are not in {REJECT_REASONS_SEED.name}"
            )


UNKNOWN_CODES = ("99Z", "XX", "8X", "105Q", "ZZ1")
BAD_TIMESTAMPS = (
    "31/12/2023 10:00",
    "2023-13-45T10:00:00",
    "yesterday",
    "2023-02-30 12:00",
    "12:30 04/05/2023",
)
OUTSIDE_POINTS = (
    ("530000", "180000"),
    ("0", "0"),
    ("350000", "450000"),
    ("600000", "100000"),
    ("405000", "330000"),
)
BAD_COORDINATES = (("N/A", "N/A"), ("SP 123 456", ""), ("4O1234", "28765O"), ("unknown", "-"))
INVALID_DATES = ("2009-02-30", "2011-04-31", "2010-13-01", "2008-00-10")
ORPHAN_YEAR = "19"  # no crime in the extract was recorded in 2019
FIRST_SPARE_PERSON = 90_000_000  # clean person refs stay below this
FIRST_SPARE_URN = 899_000  # clean URNs start at 900001

OFF = {c: i for i, c in enumerate(OFFENCE_COLUMNS)}
PER = {c: i for i, c in enumerate(PERSON_COLUMNS)}
SCH = {c: i for i, c in enumerate(SCHOOL_COLUMNS)}


@dataclass
class BadRow:
    position: int  # inserted after this many clean rows
    row: list
    key: str
    reason: str


def _kinds(rng, n: int, kinds: tuple) -> list:
    """n defect kinds, as evenly spread as possible, in random order."""
    return [kinds[i] for i in rng.permutation(np.arange(n) % len(kinds))]


def merge(clean: list, bad: list) -> tuple[list, list]:
    """All rows in file order, and (row_number, key, reason) of each bad row (1-based)."""
    rows, records, done = [], [], 0
    for b in sorted(bad, key=lambda b: b.position):  # sorted() is stable: ties keep draw order
        rows.extend(clean[done : b.position])
        done = b.position
        rows.append(b.row)
        records.append((len(rows), b.key, b.reason))
    rows.extend(clean[done:])
    return rows, records


class _RefMaker:
    """Fresh crime references that no clean crime uses: numbers after each year's last one."""

    def __init__(self, clean_refs: list):
        self.next = {}
        for ref in clean_refs:
            _, seq, year = ref.split("/")
            self.next[year] = max(self.next.get(year, 0), int(seq) + 1)

    def __call__(self, like: str, year: str = "") -> str:
        year = year or like.split("/")[2]
        seq = self.next.get(year, 1)
        self.next[year] = seq + 1
        return f"20/{seq:06d}/{year}"


def _shift_timestamp(text: str, minutes: int) -> str:
    """Same textual style, moved by some minutes."""
    moved = np.datetime64(text.replace(" ", "T"), "m") + np.timedelta64(minutes, "m")
    out = np.datetime_as_string(moved, unit="m")
    return out + ":00" if "T" in text else out.replace("T", " ")


def _bad_offence(rng, kind: str, template: list, refs: _RefMaker) -> list:
    row = list(template)
    if kind == "duplicate_crime_ref":
        change = rng.integers(3)  # an exact copy, or the same crime re-entered differently
        if change == 1:
            row[OFF["recorded_at"]] = _shift_timestamp(row[OFF["recorded_at"]], 17)
        elif change == 2:
            row[OFF["location_type"]] = (
                "other" if row[OFF["location_type"]] != "other" else "street"
            )
        return row
    row[OFF["crime_ref"]] = "" if kind == "missing_crime_ref" else refs(template[OFF["crime_ref"]])
    if kind == "unknown_offence_code":
        row[OFF["ho_offence_code"]] = UNKNOWN_CODES[rng.integers(len(UNKNOWN_CODES))]
    elif kind == "unparseable_timestamp":
        field = ("committed_from", "recorded_at")[rng.integers(2)]
        row[OFF[field]] = BAD_TIMESTAMPS[rng.integers(len(BAD_TIMESTAMPS))]
        row[OFF["committed_to"]] = ""
    elif kind == "outside_study_area":
        row[OFF["easting"]], row[OFF["northing"]] = OUTSIDE_POINTS[
            rng.integers(len(OUTSIDE_POINTS))
        ]
    elif kind == "unparseable_coordinates":
        row[OFF["easting"]], row[OFF["northing"]] = BAD_COORDINATES[
            rng.integers(len(BAD_COORDINATES))
        ]
    elif kind == "committed_after_recorded":
        # A mistyped year: committed a year after it was recorded (which cannot be).
        row[OFF["committed_from"]] = _shift_timestamp(row[OFF["recorded_at"]], 366 * 24 * 60)
        row[OFF["committed_to"]] = ""
    elif kind == "inconsistent_timestamps":
        row[OFF["committed_to"]] = _shift_timestamp(
            row[OFF["committed_from"]], -int(rng.integers(60, 3 * 24 * 60))
        )
    return row


def offence_defects(rng, clean: list, fraction: float, known_codes: set) -> list:
    assert not set(UNKNOWN_CODES) & known_codes, "an 'unknown' code is in the seed"
    refs = _RefMaker([r[OFF["crime_ref"]] for r in clean])
    bad = []
    for kind in _kinds(rng, int(round(fraction * len(clean))), OFFENCE_DEFECTS):
        position = int(rng.integers(1, len(clean) + 1))
        template = clean[
            int(rng.integers(position if kind == "duplicate_crime_ref" else len(clean)))
        ]
        row = _bad_offence(rng, kind, template, refs)
        bad.append(BadRow(position, row, row[OFF["crime_ref"]], kind))
    return bad


def _bad_person(rng, kind, template, spare_ref: str, crime_day: dict) -> list:
    row = list(template)
    if kind == "duplicate_person_row":
        return row
    row[PER["person_ref"]] = "" if kind == "missing_person_ref" else spare_ref
    if kind == "orphan_person_row":
        row[PER["crime_ref"]] = f"20/{int(rng.integers(1, 999999)):06d}/{ORPHAN_YEAR}"
    elif kind == "missing_role":
        row[PER["role"]] = ""
    elif kind == "impossible_date_of_birth":
        day = crime_day[row[PER["crime_ref"]]]
        choice = rng.integers(3)
        if choice == 0:  # born after the crime
            dob = str(day + np.timedelta64(int(rng.integers(1, 3000)), "D"))
        elif choice == 1:  # more than 110 years before it
            dob = str(day - np.timedelta64(int(rng.integers(111 * 366, 130 * 366)), "D"))
        else:
            dob = INVALID_DATES[rng.integers(len(INVALID_DATES))]
        row[PER["date_of_birth"]] = dob
    return row


def person_defects(rng, clean: list, fraction: float, crime_day: dict) -> list:
    bad = []
    kinds = _kinds(rng, int(round(fraction * len(clean))), PERSON_DEFECTS)
    for k, kind in enumerate(kinds):
        position = int(rng.integers(1, len(clean) + 1))
        template = clean[
            int(rng.integers(position if kind == "duplicate_person_row" else len(clean)))
        ]
        row = _bad_person(rng, kind, template, f"P{FIRST_SPARE_PERSON + k:08d}", crime_day)
        bad.append(BadRow(position, row, row[PER["crime_ref"]], kind))
    return bad


def school_defects(rng, clean: list, fraction: float, open_rows: np.ndarray) -> list:
    bad = []
    for k, kind in enumerate(
        _kinds(rng, max(2, int(round(fraction * len(clean)))), SCHOOL_DEFECTS)
    ):
        earliest = open_rows[0] + 1 if kind == "duplicate_urn" else 1  # room for the original
        position = int(rng.integers(earliest, len(clean) + 1))
        eligible = open_rows[open_rows < position] if kind == "duplicate_urn" else open_rows
        row = list(clean[int(eligible[rng.integers(len(eligible))])])
        if kind == "missing_coordinates":
            row[SCH["URN"]] = str(FIRST_SPARE_URN + k)
            row[SCH["EstablishmentName"]] += " Annexe"
            row[SCH["NumberOfPupils"]] = ""
            row[SCH["Easting"]] = row[SCH["Northing"]] = ""
        bad.append(BadRow(position, row, row[SCH["URN"]], kind))
    return bad
