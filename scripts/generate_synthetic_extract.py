#!/usr/bin/env python3
"""Generate a synthetic police extract, with its ground truth, for the school exposure pipeline.

Everything written is fictional: a simulated force area "shaped like the West Midlands" with
its areas, residents, schools, pupils, crimes and the people on them. Same --seed and --scale
give byte-identical files. See shared/extract-contract.md for the file formats.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from synthetic import GENERATOR_VERSION, defects, extract, truth
from synthetic.catchment import CHOICE_PROCESSES, simulate_catchment
from synthetic.ethnicity import build_ethnic_mix, ethnicity_rows
from synthetic.geography import build_geography
from synthetic.offences import read_offence_classes, simulate_offences
from synthetic.output_areas import build_output_areas
from synthetic.output_areas import locate as locate_output_areas
from synthetic.output_areas import population_rows as output_area_population_rows
from synthetic.persons import simulate_persons
from synthetic.population import build_population
from synthetic.real_geography import (
    build_real_geography,
    build_real_population,
    build_real_schools,
)
from synthetic.rng import stream
from synthetic.schools import add_admissions, build_schools
from synthetic.term_dates import HOLIDAYS
from synthetic.writers import write_csv, write_features, write_geojson, write_json

SEED_FILE = Path(__file__).resolve().parent.parent / "seeds" / "offence_classes.csv"
MAX_SCALE = 10.0
MAX_BAD_FRACTION = 0.5
PUPIL_RESIDENCE_SHARE = 0.10  # of open state-funded schools
SUPPRESSION_MARKERS = ("c", "x", "<5", "*")
VRU_SCHOOLS = 40
VRU_PROGRAMMES = (
    "Mentors in Violence Prevention",
    "Knife crime education",
    "Trusted adult",
    "Detached youth work",
)


class Progress:
    """'[generate] step: detail ... 0.8s' lines on stderr."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.start = self.last = time.perf_counter()

    def __call__(self, step: str, detail: str) -> None:
        now = time.perf_counter()
        if not self.quiet:
            print(f"[generate] {step}: {detail} ... {now - self.last:.1f}s", file=sys.stderr)
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.start


def _ranged_float(name: str, low: float, high: float, low_inclusive: bool):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        above_low = value >= low if low_inclusive else value > low
        if not (above_low and value <= high):
            bracket = "[" if low_inclusive else "("
            raise argparse.ArgumentTypeError(
                f"{name} must be in {bracket}{low}, {high}], got {text}"
            )
        return value

    return parse


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"seed must be >= 0, got {value}")
    return value


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write a SYNTHETIC police extract (offences, offence persons, schools, LSOA "
        "boundaries, lookup, population, pupil residence, deprivation, VRU schools, "
        "school holidays) for a fictional force area shaped like the West Midlands, "
        "plus the ground truth it was simulated from (true catchments, offenders' "
        "schools, offence areas, the deliberately broken rows). No real person, "
        "crime or school is in it."
    )
    parser.add_argument(
        "--scale",
        type=_ranged_float("scale", 0.0, MAX_SCALE, False),
        default=1.0,
        help="size of the crime data: 1.0 is about 400,000 offences and 600,000 "
        "person rows over three years; geography, population and schools "
        "do not change with scale (default 1.0, at most 10)",
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        default=42,
        help="random seed; the same seed and scale give identical files (default 42)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("data/raw"),
        help="directory for the extract files the pipeline reads (default data/raw)",
    )
    parser.add_argument(
        "--truth-out",
        type=Path,
        default=Path("data/truth"),
        help="directory for the ground truth, never read by the pipeline (default data/truth)",
    )
    parser.add_argument(
        "--bad-fraction",
        type=_ranged_float("bad-fraction", 0.0, MAX_BAD_FRACTION, True),
        default=0.01,
        help="broken rows added to offences and persons, as a fraction of the clean "
        "rows, each recorded in the truth's bad_rows.csv (default 0.01, 0 to 0.5)",
    )
    parser.add_argument(
        "--choice",
        choices=sorted(CHOICE_PROCESSES),
        default="baseline",
        help="how families choose schools (the catchment truth): "
        + "; ".join(
            f"{p.name}: {p.description}".replace("%", "%%") for p in CHOICE_PROCESSES.values()
        )
        + " (default baseline). The pipeline is never told which.",
    )
    parser.add_argument(
        "--real-geography",
        type=Path,
        metavar="OPEN_DATA",
        help="build the world on REAL public geography instead of the fictional one: the "
        "West Midlands LSOAs, lookup, residents, deprivation and GIAS schools in this "
        "open-data folder (../shared/open-data, see its PROVENANCE.md); pupils, crimes "
        "and people are simulated as usual. The files are read, never copied, except into "
        "the extract written to --out",
    )
    parser.add_argument(
        "--output-areas",
        action="store_true",
        help="also write the optional finest level: oa_boundaries.geojson (each LSOA cut into "
        "4-6 output areas) and oa_population.csv, and the true output area of each offence "
        "in the truth (fictional geography only)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if args.output_areas and args.real_geography is not None:
        parser.error("--output-areas makes output areas for the fictional geography only")
    if args.real_geography is not None and not args.real_geography.is_dir():
        parser.error(f"--real-geography {args.real_geography}: no such folder")
    if args.out.resolve() == args.truth_out.resolve():
        parser.error("--out and --truth-out must be different directories")
    return args


def _pupil_residence_rows(rng, world) -> list:
    """True flows of a sample of open state-funded schools, small counts suppressed."""
    schools = world["schools"]
    state = schools.is_open & (schools.kind != "independent")
    chosen = np.zeros(schools.n, dtype=bool)
    candidates = np.flatnonzero(state)
    chosen[
        rng.choice(
            candidates, size=int(round(PUPIL_RESIDENCE_SHARE * candidates.size)), replace=False
        )
    ] = True
    rows = extract.flow_rows(schools, world["catchment"], world["geo"], chosen)
    for row in rows:
        if int(row[2]) < 5:
            row[2] = SUPPRESSION_MARKERS[rng.integers(len(SUPPRESSION_MARKERS))]
    return rows


def _vru_rows(rng, world) -> list:
    """Schools already on the VRU's list: mostly secondary schools in deprived areas."""
    schools, pop = world["schools"], world["pop"]
    phase = np.array(schools.phase)
    weight = np.select(
        [phase == "Secondary", schools.kind == "pru", phase == "All-through"], [4.0, 3.0, 2.0], 0.4
    )
    weight = weight * np.exp(0.8 * pop.deprivation_z[schools.lsoa]) * schools.is_open
    weight *= schools.kind != "independent"
    picked = np.sort(
        rng.choice(schools.n, size=VRU_SCHOOLS, replace=False, p=weight / weight.sum())
    )
    days = np.arange(np.datetime64("2022-01-01"), np.datetime64("2025-01-01"))
    return [
        [
            str(schools.urn[i]),
            VRU_PROGRAMMES[rng.integers(len(VRU_PROGRAMMES))],
            str(days[rng.integers(len(days))]),
        ]
        for i in picked
    ]


def simulate_world(args, log: Progress) -> dict:
    classes = read_offence_classes(SEED_FILE)
    real = args.real_geography
    geo = build_real_geography(real) if real else build_geography(stream(args.seed, "geography"))
    log(
        "geography",
        f"{geo.n:,} areas, {geo.msoa.max() + 1} MSOAs, {geo.ward.max() + 1} wards, "
        f"{len(geo.la_name)} LAs, {geo.area_km2.sum():,.0f} km2",
    )
    pop = (
        build_real_population(real, geo)
        if real
        else build_population(stream(args.seed, "population"), geo)
    )
    log(
        "population",
        f"{pop.total.sum():,} residents, {np.mean(pop.imd_decile == 1):.0%} of "
        "areas in IMD decile 1",
    )
    if real:
        schools = build_real_schools(stream(args.seed, "schools"), real, geo, pop)
    else:
        schools = add_admissions(
            stream(args.seed, "admissions"), build_schools(stream(args.seed, "schools"), geo, pop)
        )
    catchment = simulate_catchment(stream(args.seed, "catchment"), geo, pop, schools, args.choice)
    log(
        "schools",
        f"{schools.n:,} establishments, {catchment.pupils.sum():,} pupils; mean "
        f"distance primary {catchment.mean_km['primary']:.2f} km (nearest school "
        f"{catchment.nearest_share['primary']:.0%}), secondary "
        f"{catchment.mean_km['secondary']:.2f} km "
        f"({catchment.nearest_share['secondary']:.0%})",
    )
    offences = simulate_offences(
        stream(args.seed, "offences"),
        args.scale,
        geo,
        pop,
        schools,
        classes,
        stream(args.seed, "hubs"),
    )
    log("offences", f"{offences.n:,} clean offences")
    ethnic_mix = build_ethnic_mix(stream(args.seed, "ethnicity"), pop)
    persons = simulate_persons(
        stream(args.seed, "persons"), geo, pop, offences, catchment, ethnic_mix
    )
    log("persons", f"{persons.n:,} clean person rows, {len(persons.person_ref):,} people")
    output_areas = None
    if args.output_areas:
        # Its own stream, so the rest of the world is the same with or without it.
        output_areas = build_output_areas(stream(args.seed, "output-areas"), geo, pop)
        log("output areas", f"{output_areas.n:,} output areas")
    return {
        "output_areas": output_areas,
        "classes": classes,
        "geo": geo,
        "pop": pop,
        "schools": schools,
        "catchment": catchment,
        "offences": offences,
        "persons": persons,
        "ethnic_mix": ethnic_mix,
    }


def write_extract(args, world: dict, log: Progress) -> dict:
    """Write the raw directory and return {file: rows} plus the bad rows per file."""
    geo, pop, schools, off, per = (
        world[k] for k in ("geo", "pop", "schools", "offences", "persons")
    )
    defects.check_defects_are_listed()
    rng = stream(args.seed, "defects")
    out = args.out
    counts, bad = {}, {}

    clean = extract.offence_rows(off)
    crime_day = dict(zip(off.crime_ref, off.committed_from.astype("datetime64[D]")))
    rows, bad["offences.csv"] = defects.merge(
        clean, defects.offence_defects(rng, clean, args.bad_fraction, set(world["classes"]))
    )
    counts["offences.csv"] = write_csv(out / "offences.csv", extract.OFFENCE_COLUMNS, rows)

    clean = extract.person_rows(per, off, geo, schools)
    rows, bad["offence_persons.csv"] = defects.merge(
        clean, defects.person_defects(rng, clean, args.bad_fraction, crime_day)
    )
    counts["offence_persons.csv"] = write_csv(
        out / "offence_persons.csv", extract.PERSON_COLUMNS, rows
    )

    clean = extract.school_rows(stream(args.seed, "schools-file"), schools, world["catchment"], geo)
    rows, bad["schools.csv"] = defects.merge(
        clean,
        defects.school_defects(rng, clean, args.bad_fraction, np.flatnonzero(schools.is_open)),
    )
    counts["schools.csv"] = write_csv(out / "schools.csv", extract.SCHOOL_COLUMNS, rows)
    log(
        "extract",
        f"{counts['offences.csv']:,} offence rows, {counts['offence_persons.csv']:,} "
        f"person rows, {sum(len(b) for b in bad.values()):,} broken rows",
    )

    counts["lsoa_boundaries.geojson"] = write_geojson(out / "lsoa_boundaries.geojson", geo)
    counts["lsoa_lookup.csv"] = write_csv(
        out / "lsoa_lookup.csv", extract.LOOKUP_COLUMNS, extract.lookup_rows(geo)
    )
    counts["lsoa_population.csv"] = write_csv(
        out / "lsoa_population.csv",
        ("lsoa_code", "age", "population"),
        extract.population_rows(geo, pop),
    )
    counts["lsoa_ethnicity.csv"] = write_csv(
        out / "lsoa_ethnicity.csv",
        ("lsoa_code", "age_band", "ethnic_group", "population"),
        ethnicity_rows(geo.lsoa_code, world["ethnic_mix"]),
    )
    counts["pupil_residence.csv"] = write_csv(
        out / "pupil_residence.csv",
        ("urn", "lsoa_code", "pupils"),
        _pupil_residence_rows(stream(args.seed, "residence"), world),
    )
    counts["deprivation.csv"] = write_csv(
        out / "deprivation.csv",
        ("lsoa_code", "imd_score", "imd_decile"),
        extract.deprivation_rows(geo, pop),
    )
    counts["vru_schools.csv"] = write_csv(
        out / "vru_schools.csv",
        ("urn", "programme", "added_on"),
        _vru_rows(stream(args.seed, "vru"), world),
    )
    counts["school_holidays.csv"] = write_csv(
        out / "school_holidays.csv", ("start_date", "end_date", "description"), HOLIDAYS
    )
    oas = world["output_areas"]
    if oas is not None:
        counts["oa_boundaries.geojson"] = write_features(
            out / "oa_boundaries.geojson",
            "oa_boundaries",
            oas.rings,
            [{"OA21CD": oas.code[o], "LSOA21CD": geo.lsoa_code[oas.lsoa[o]]} for o in range(oas.n)],
        )
        counts["oa_population.csv"] = write_csv(
            out / "oa_population.csv",
            ("oa_code", "age", "population"),
            output_area_population_rows(oas),
        )
    log(
        "reference files",
        f"boundaries, lookup, population, ethnic groups, pupil residence, deprivation, "
        f"VRU schools, holidays in {out}",
    )
    return {"counts": counts, "bad": bad}


def write_truth(args, world: dict, written: dict, log: Progress) -> dict:
    geo, schools, off, per = (world[k] for k in ("geo", "schools", "offences", "persons"))
    out = args.truth_out
    counts = {}
    counts["pupil_flows.csv"] = write_csv(
        out / "pupil_flows.csv",
        ("urn", "lsoa_code", "pupils"),
        extract.flow_rows(schools, world["catchment"], geo, schools.is_open),
    )
    counts["offender_schools.csv"] = write_csv(
        out / "offender_schools.csv",
        ("person_ref", "urn", "home_lsoa_code"),
        truth.offender_school_rows(per, schools, geo),
    )
    counts["offence_locations.csv"] = write_csv(
        out / "offence_locations.csv",
        ("crime_ref", "lsoa_code"),
        truth.offence_location_rows(off, geo),
    )
    oas = world["output_areas"]
    if oas is not None:
        located = np.flatnonzero(off.lsoa >= 0)
        oa = locate_output_areas(oas, geo, off.xy[located], off.lsoa[located])
        counts["offence_output_areas.csv"] = write_csv(
            out / "offence_output_areas.csv",
            ("crime_ref", "oa_code"),
            [[off.crime_ref[i], oas.code[o]] for i, o in zip(located.tolist(), oa.tolist())],
        )
    bad_rows = [
        [file, str(number), key, reason]
        for file, records in written["bad"].items()
        for number, key, reason in records
    ]
    counts["bad_rows.csv"] = write_csv(
        out / "bad_rows.csv", ("file", "row_number", "key", "reason"), bad_rows
    )
    log(
        "truth",
        f"{counts['offender_schools.csv']:,} school-aged offenders, "
        f"{counts['bad_rows.csv']:,} broken rows recorded in {out}",
    )
    return counts


def manifest(args, world: dict, raw_counts: dict, truth_counts: dict) -> dict:
    catchment, geo, pop = world["catchment"], world["geo"], world["pop"]
    return {
        "generator": "scripts/generate_synthetic_extract.py",
        "generator_version": GENERATOR_VERSION,
        "synthetic": True,
        "seed": args.seed,
        "scale": args.scale,
        "bad_fraction": args.bad_fraction,
        "choice_process": args.choice,
        "geography": "real" if args.real_geography else "fictional",
        "rows": {"raw": raw_counts, "truth": truth_counts},
        "world": {
            "areas": geo.n,
            "area_km2": round(float(geo.area_km2.sum()), 1),
            "residents": int(pop.total.sum()),
            "pupils": int(catchment.pupils.sum()),
            "mean_home_school_km": catchment.mean_km,
            "share_at_nearest_school": catchment.nearest_share,
        },
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    log = Progress(args.quiet)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        args.truth_out.mkdir(parents=True, exist_ok=True)
        world = simulate_world(args, log)
        written = write_extract(args, world, log)
        truth_counts = write_truth(args, world, written, log)
        write_json(
            args.truth_out / "manifest.json", manifest(args, world, written["counts"], truth_counts)
        )
    except OSError as error:
        print(f"generate_synthetic_extract: error: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"[generate] done in {log.total():.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
