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
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import duckdb
import yaml

from spatial_extension import load_spatial

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
        help="glob of police.uk street-level CSVs, or a folder of them, relative to "
        "--open-data-dir or absolute; where it matches nothing, the month folders inside "
        f"(data.police.uk's download unzipped) are searched (default {DEFAULT_CRIMES})",
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
    area = parser.add_argument_group(
        "study area",
        "By default the study area is every LSOA in --boundaries. To use a national (or "
        "regional) boundary file, cut it to the force with one of these; the lookup, "
        "population, deprivation and GIAS files may stay national (their rows outside the "
        "area are rejected as outside_study_area and not counted against the file).",
    )
    cut = area.add_mutually_exclusive_group()
    cut.add_argument(
        "--local-authorities",
        help="comma-separated local authority codes or names (as in the lookup's LADyyCD / "
        "LADyyNM columns), e.g. E08000025,E08000026",
    )
    cut.add_argument(
        "--force-area",
        type=Path,
        help="a polygon file of the force area (GeoJSON or GeoPackage, as police.uk's "
        "force boundaries): an LSOA is in the area when a point on its surface lies inside",
    )
    parser.add_argument("--vars", help="dbt vars as YAML, e.g. '{analysis_months: 2}'")
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="make the raw folder and stop (to build it another way)",
    )
    return parser.parse_args(argv)


def police_uk_files(pattern: str) -> list[Path]:
    """The police.uk files `pattern` names: a glob, or a folder of *-street.csv files. Where
    none matches, the same one folder deeper: data.police.uk's download unzips into a folder
    per month (2014-01/2014-01-west-midlands-street.csv, beside the outcomes and stop and
    search files of the month, which are not read)."""
    if os.path.isdir(pattern):
        pattern = os.path.join(pattern, "*-street.csv")
    matched = glob.glob(pattern)
    if not matched:
        folder, name = os.path.split(pattern)
        matched = glob.glob(os.path.join(folder, "*", name))
    return sorted(Path(p).resolve() for p in matched)


def police_uk_forces(crimes: list[Path]) -> list[str]:
    """The forces of the police.uk files, from their names (YYYY-MM-<force>-street.csv)."""
    names = (re.fullmatch(r"\d{4}-\d{2}-(.+)-street\.csv", path.name) for path in crimes)
    return sorted({name.group(1) for name in names if name})


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
    crimes = police_uk_files(pattern)
    if not crimes:
        missing.append(
            f"  police.uk street-level CSVs: nothing matches {pattern}, nor its month folders"
            " (--crimes)"
        )
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


def _lookup_column(con, lookup: Path, pattern: str) -> str | None:
    columns = [
        row[0]
        for row in con.sql(f"select * from read_csv('{lookup}', all_varchar=true)").description
    ]
    return next((c for c in columns if re.fullmatch(pattern, c, flags=re.IGNORECASE)), None)


def cut_boundaries(
    boundaries: Path,
    out: Path,
    *,
    lookup: Path | None = None,
    local_authorities: list[str] | None = None,
    force_area: Path | None = None,
) -> int:
    """Write the LSOAs of `boundaries` that lie in the study area to `out` (GeoParquet, in
    the boundaries' own CRS) and return how many. The area is a list of local authorities
    (codes or names, matched in the lookup) or a force-area polygon (an LSOA is in when a
    point on its surface is: generalised LSOA and force boundaries differ by metres, and a
    centroid rule would lose crescent-shaped LSOAs)."""
    con = duckdb.connect()
    load_spatial(con)
    con.sql(f"create table lsoas as select * from st_read('{boundaries}')")
    columns = {row[0].lower(): row[0] for row in con.sql("select * from lsoas").description}
    code = next((columns[c] for c in ("lsoa21cd", "lsoa11cd", "lsoa_code") if c in columns), None)
    geom = next(
        (columns[c] for c in ("geom", "geometry", "wkb_geometry", "shape") if c in columns), None
    )
    if code is None or geom is None:
        sys.exit(f"error: {boundaries.name}: no LSOA code or geometry column to cut by")
    if local_authorities:
        lsoa_column = _lookup_column(con, lookup, r"lsoa\d\dcd|lsoa_code")
        lad_code = _lookup_column(con, lookup, r"lad?\d\dcd|lad_code")
        lad_name = _lookup_column(con, lookup, r"lad?\d\dnm|lad_name")
        if lsoa_column is None or lad_code is None:
            sys.exit(f"error: {lookup.name}: no LSOA or local authority code column to cut by")
        wanted = [a.strip().upper() for a in local_authorities if a.strip()]
        names = f'upper(trim("{lad_name}"))' if lad_name else "null"
        con.execute(
            f"""create table area_lsoas as
            select distinct upper(trim("{lsoa_column}")) as lsoa_code
            from read_csv('{lookup}', all_varchar=true)
            where upper(trim("{lad_code}")) in (select unnest($wanted))
                or {names} in (select unnest($wanted))""",
            {"wanted": wanted},
        )
        found = con.execute(
            f"""with lookup as (select * from read_csv('{lookup}', all_varchar=true))
            select count(distinct a) from (select unnest($wanted) as a) as w
            where a in (select upper(trim("{lad_code}")) from lookup)
                or a in (select {names} from lookup)""",
            {"wanted": wanted},
        ).fetchone()[0]
        if found < len(set(wanted)):
            sys.exit(
                f"error: --local-authorities: {len(set(wanted)) - found} of the "
                f"{len(set(wanted))} authorities named are not in {lookup.name} "
                f"(columns {lad_code}{', ' + lad_name if lad_name else ''}); check the codes "
                "and that the lookup is of the same vintage"
            )
        keep = f'upper("{code}") in (select lsoa_code from area_lsoas)'
    else:
        con.sql(
            f"create table area as select st_union_agg(geom) as geom from st_read('{force_area}')"
        )
        keep = f'st_within(st_pointonsurface("{geom}"), (select geom from area))'
    con.sql(f"copy (select * from lsoas where {keep}) to '{out}' (format parquet)")
    return con.sql(f"select count(*) from read_parquet('{out}')").fetchone()[0]


def main(argv=None) -> int:
    args = parse_args(argv)
    files, crimes = find_inputs(args)
    raw = args.work_dir / "raw"
    make_raw_dir(raw, files, crimes)
    if args.local_authorities or args.force_area:
        if args.force_area and not args.force_area.is_file():
            sys.exit(f"error: --force-area: {args.force_area} is not a file")
        (raw / "lsoa_boundaries.geojson").unlink()
        out = args.work_dir / "lsoa_boundaries_study_area.parquet"
        kept = cut_boundaries(
            files["lsoa_boundaries.geojson"],
            out,
            lookup=files["lsoa_lookup.csv"],
            local_authorities=args.local_authorities.split(",") if args.local_authorities else None,
            force_area=args.force_area,
        )
        if kept == 0:
            sys.exit("error: the study area holds none of the LSOAs in --boundaries")
        (raw / "lsoa_boundaries.parquet").symlink_to(out.resolve())
        print(
            f"[opendata] study area: {kept} LSOAs cut from {files['lsoa_boundaries.geojson'].name}",
            file=sys.stderr,
            flush=True,
        )
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
    build_vars = yaml.safe_load(args.vars) if args.vars else {}
    if not isinstance(build_vars, dict):
        sys.exit(
            f"error: --vars must be a YAML mapping, e.g. '{{analysis_months: 2}}'; got {args.vars}"
        )
    forces = police_uk_forces(crimes)
    if args.local_authorities or args.force_area or len(forces) > 1:
        build_vars.setdefault("study_area_is_cut", True)
    if len(forces) > 1:
        # Several forces' files (all of England's download, or the force's own with British
        # Transport Police's): crimes outside the study area are expected, not an error.
        print(
            f"[opendata] police.uk files of {len(forces)} forces ({', '.join(forces)}): their "
            "crimes outside the study area are rejected as outside_study_area, and not counted "
            "against max_reject_share",
            file=sys.stderr,
            flush=True,
        )
    command = [
        sys.executable,
        str(PROJECT_DIR / "scripts" / "run_build.py"),
        *("--db", str(args.db), "--raw-dir", str(raw)),
        *(("--vars", json.dumps(build_vars)) if build_vars else ()),
    ]
    args.db.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run(command, cwd=PROJECT_DIR, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
