#!/usr/bin/env python3
"""Make the next day's extract from a synthetic one: new offences with their person rows, and
a few existing offences changed (cancelled, or reclassified), as a force's daily extract
would bring. For trying and testing a refresh (run_build.py --refresh; README, "Refresh").

    python scripts/next_day_extract.py data/raw data/raw-next --offences 200 --changed 20

The other files are copied as they are. A new offence is a copy of one of the latest
well-formed rows of offences.csv, with a new crime_ref and its times a day later (kept when
that would be in the future), and with copies of that offence's person rows; a changed
offence is a well-formed row cancelled or given another offence code of the file. Rows are
appended or replaced line by line, so every other line of the files, malformed ones included,
stays byte for byte. The choice is seeded (--seed). Synthetic data only: it prints counts,
never a row.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

TIME_COLUMNS = ("committed_from", "committed_to", "recorded_at")


def record(line: str, width: int) -> list[str] | None:
    """The fields of a physical line that is one whole, plain record, else None."""
    if '"' in line or not line.strip():
        return None
    fields = next(csv.reader([line]))
    return fields if len(fields) == width else None


def as_line(fields: list[str], newline: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerow(fields)
    return out.getvalue()


def a_day_later(text: str, now: datetime) -> str:
    """The same timestamp a day later, in its own layout; unchanged when not parseable or
    when a day later is in the future."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    later = moment + timedelta(days=1)
    if later > now:
        return text
    separator = "T" if "T" in text else " "
    timespec = "seconds" if text.count(":") == 2 else "minutes"
    return later.isoformat(sep=separator, timespec=timespec)


def next_day(source: Path, out: Path, offences: int, changed: int, seed: int) -> dict:
    if out.exists():
        raise SystemExit(f"{out} exists: give a new folder")
    shutil.copytree(source, out)
    rng = random.Random(seed)
    now = datetime.now()

    path = out / "offences.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    header = next(csv.reader([lines[0]]))
    column = {name: i for i, name in enumerate(header)}
    plain = [i for i in range(1, len(lines)) if record(lines[i], len(header))]
    codes = sorted({record(lines[i], len(header))[column["ho_offence_code"]] for i in plain})

    templates = plain[-offences:] if offences else []
    new_refs: dict[str, str] = {}
    appended = []
    for number, i in enumerate(templates, start=1):
        fields = record(lines[i], len(header))
        new_ref = f"ND{seed}/{number:06d}"
        new_refs[fields[column["crime_ref"]]] = new_ref
        fields[column["crime_ref"]] = new_ref
        for name in TIME_COLUMNS:
            if name in column and fields[column[name]]:
                fields[column[name]] = a_day_later(fields[column[name]], now)
        appended.append(as_line(fields, newline))

    earlier = [i for i in plain if i not in set(templates)]
    changed = min(changed, len(earlier))
    for i in rng.sample(earlier, changed):
        fields = record(lines[i], len(header))
        if "status" in column and rng.random() < 0.5:
            fields[column["status"]] = "cancelled"
        else:
            current = fields[column["ho_offence_code"]]
            fields[column["ho_offence_code"]] = rng.choice([c for c in codes if c != current])
        ending = lines[i][len(lines[i].rstrip("\r\n")) :]
        lines[i] = as_line(fields, newline).rstrip("\r\n") + ending
    if not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    path.write_text("".join(lines + appended), encoding="utf-8")

    persons_path = out / "offence_persons.csv"
    person_lines = persons_path.read_text(encoding="utf-8").splitlines(keepends=True)
    person_header = next(csv.reader([person_lines[0]]))
    ref = person_header.index("crime_ref")
    new_persons = []
    for line in person_lines[1:]:
        fields = record(line, len(person_header))
        if fields and fields[ref] in new_refs:
            fields[ref] = new_refs[fields[ref]]
            new_persons.append(as_line(fields, newline))
    if not person_lines[-1].endswith(("\n", "\r")):
        person_lines[-1] += newline
    persons_path.write_text("".join(person_lines + new_persons), encoding="utf-8")
    return {
        "offences_added": len(appended),
        "offences_changed": changed,
        "persons_added": len(new_persons),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="the extract folder of the day before")
    parser.add_argument("out", type=Path, help="a new folder for the next day's extract")
    parser.add_argument("--offences", type=int, default=200, help="new offences (default 200)")
    parser.add_argument(
        "--changed", type=int, default=20, help="existing offences changed (default 20)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the choice (default 1)")
    args = parser.parse_args(argv)
    if not (args.source / "offences.csv").exists():
        print(f"no offences.csv in {args.source}", file=sys.stderr)
        return 2
    counts = next_day(args.source, args.out, args.offences, args.changed, args.seed)
    print(
        f"{args.out}: {counts['offences_added']} offences added, "
        f"{counts['offences_changed']} changed, {counts['persons_added']} person rows added"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
