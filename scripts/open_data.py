#!/usr/bin/env python3
"""Open-data mode: build the marts from public files alone (make opendata).

    python scripts/open_data.py --open-data-dir ../shared/open-data

For a VRU analyst without an extract yet, a partner in another force, or a reviewer: the
police.uk street-level crime CSVs as downloaded (any force, any number of months), GIAS,
ONS boundaries, lookup and population, and the IoD2019 deprivation file. The files are read
where they lie: the command makes a raw folder of links to them under the contract's names
(police.uk's under police_uk/), then runs the documented build (scripts/run_build.py) on it.
The window is set from the months present. What public data cannot support is unavailable,
never zero: no person rows, so no offender, victim or youth measures; month-only dates, so no
commute-time measure (README, "Open-data mode").

The defaults are the layout of ../shared/open-data (its PROVENANCE.md); any other download
is named file by file.
"""

from __future__ import annotations

import argparse
import glob
import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]

# contract name -> (option, default path under --open-data-dir, what it is)
REFERENCE_FILES = {
    "lsoa_boundaries.geojson": (
        "boundaries",
        "boundaries/wm_lsoa2011_bgc_wgs84.geojson",
        "LSOA boundaries (GeoJSON or GeoPackage, WGS84 or British National Grid)",
    ),
    "lsoa_lookup.csv": (
        "lookup",
        "lookups/wm_lsoa11_msoa11_lad17_lookup.csv",
        "LSOA to MSOA (and ward) to local authority lookup",
    ),
    "lsoa_population.csv": (
        "population",
        "population/mid2020_lsoa11_population_single_year_of_age_west_midlands.csv",
        "ONS LSOA population by single year of age (long or wide form)",
    ),
    "schools.csv": (
        "schools",
        "schools_gias/gias_open_establishments_20250524_west_midlands_7LA.csv",
        "GIAS establishments",
    ),
    "deprivation.csv": (
        "deprivation",
        "imd/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv",
        "English indices of deprivation (IoD2019 File 1 or similar)",
    ),
}
DEFAULT_CRIMES = "police_crime/*-street.csv"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--open-data-dir",
        type=Path,
        default=PROJECT_DIR.parent / "shared" / "open-data",
        help="folder of downloaded public files (default ../shared/open-data)",
    )
    parser.add_argument(
        "--crimes",
        default=DEFAULT_CRIMES,
        help="glob of police.uk street-level CSVs, relative to --open-data-dir or absolute "
        f"(default {DEFAULT_CRIMES})",
    )
    for name, (option, default, what) in REFERENCE_FILES.items():
        parser.add_argument(
            f"--{option}",
            type=Path,
            help=f"{what}, as {name} (default <open-data-dir>/{default})",
        )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=PROJECT_DIR / "data" / "opendata",
        help="where the raw folder of links is made (default data/opendata; git-ignored)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=PROJECT_DIR / "data" / "opendata" / "school_exposure.duckdb",
        help="the database to publish (default data/opendata/school_exposure.duckdb)",
    )
    parser.add_argument("--vars", help="dbt vars as YAML, e.g. '{analysis_months: 2}'")
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="make the raw folder and stop (to build it another way)",
    )
    return parser.parse_args(argv)


def find_inputs(args) -> tuple[dict[str, Path], list[Path]]:
    """The reference files by contract name and the police.uk files, or exit naming what is
    missing."""
    base = args.open_data_dir
    files, missing = {}, []
    for name, (option, default, what) in REFERENCE_FILES.items():
        path = getattr(args, option) or base / default
        if not path.is_file():
            missing.append(f"  {what}: {path} (--{option})")
        files[name] = path.resolve()
    pattern = args.crimes if os.path.isabs(args.crimes) else str(base / args.crimes)
    crimes = sorted(Path(p).resolve() for p in glob.glob(pattern))
    if not crimes:
        missing.append(f"  police.uk street-level CSVs: nothing matches {pattern} (--crimes)")
    if missing:
        sys.exit(
            "error: open-data mode needs these files, which are not there:\n"
            + "\n".join(missing)
            + "\nDownload them (README, 'Open-data mode' says where) or name each one."
        )
    return files, crimes


def make_raw_dir(raw: Path, files: dict[str, Path], crimes: list[Path]) -> None:
    """A raw folder of links: the public files stay where they are."""
    if raw.exists():
        for link in [*raw.glob("*"), *raw.glob("police_uk/*")]:
            if link.is_symlink() or link.is_file():
                link.unlink()
    (raw / "police_uk").mkdir(parents=True, exist_ok=True)
    for name, path in files.items():
        (raw / name).symlink_to(path)
    for path in crimes:
        name = path.name if path.name.endswith("-street.csv") else f"{path.stem}-street.csv"
        (raw / "police_uk" / name).symlink_to(path)


def main(argv=None) -> int:
    args = parse_args(argv)
    files, crimes = find_inputs(args)
    raw = args.work_dir / "raw"
    make_raw_dir(raw, files, crimes)
    print(
        f"[opendata] {len(crimes)} police.uk file(s), {crimes[0].name} to {crimes[-1].name}; "
        f"reference files linked in {raw}",
        file=sys.stderr,
        flush=True,
    )
    if args.prepare_only:
        return 0
    env = dict(os.environ)
    # Public data has no person references: a key is needed only by the code path, so a
    # throwaway one serves unless the user has set theirs.
    if not env.get("SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY") and not env.get(
        "SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY_FILE"
    ):
        env["SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY"] = secrets.token_hex(32)
    command = [
        sys.executable,
        str(PROJECT_DIR / "scripts" / "run_build.py"),
        *("--db", str(args.db), "--raw-dir", str(raw), "--fail-fast"),
        *(("--vars", args.vars) if args.vars else ()),
    ]
    args.db.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run(command, cwd=PROJECT_DIR, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
