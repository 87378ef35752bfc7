"""Benchmark: wall time, CPU time and peak memory of the build, per scale and at national size.

    python scripts/benchmark.py --scales 0.1 1 --national-tiles 20

For each scale it generates a synthetic extract into data/bench/scale-<s>/ and builds it from
scratch into data/bench/scale-<s>.duckdb: every model and data test, as the documented run
(`make run`, scripts/run_build.py) builds a force's extract. Then it runs the project's unit
tests on their own: tests of the code on fixed inputs, which CI runs and a production build
leaves out (dbt's advice). Last, the core path: the models from the files to the
all-violence area rates and the school exposure (`CORE_SELECTOR`), rebuilt on their own
without tests; it reads no person file. For each it prints wall time, CPU time (user +
system of dbt and everything it ran) and peak resident memory (the largest process's
maximum, from wait4); then the time in the catchment models, and the ten slowest nodes of
the whole build.

Then, unless --national-tiles is 0, it tiles the largest scale's extract into one of
national size (scripts/tile_extract.py: 20 tiles give about 34,000 LSOAs, 24,000 schools
and 20 times the offences and person rows; England has about 33,800 and 24,000) and times
the whole `dbt build`, models and data tests, with the deployment profile's memory limit
(`memory_limit` of profiles.example.yml, 8GB). Needs a pseudonymisation key in the
environment (`make bench` provides the demo one).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent
# What a notebook computes from the same files: the all-violence area rates and the school
# exposure. No person model is upstream of them (tests/python/test_structure.py checks).
CORE_SELECTOR = ["+int_area_violence_rates", "+int_school_home_area_violence"]
DEPLOYMENT_MEMORY_LIMIT = "8GB"
CATCHMENT_MODELS = {
    p.stem
    for p in (PROJECT_DIR / "models/intermediate/catchment").iterdir()
    if p.suffix in (".sql", ".py")
}


def dbt_env(raw_dir: Path, db_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        SCHOOL_EXPOSURE_RAW_DIR=str(raw_dir),
        SCHOOL_EXPOSURE_DB=str(db_path),
    )


def run_measured(command: list[str], env: dict[str, str], log_path: Path) -> dict[str, float]:
    """Run `command`; return its wall seconds, CPU seconds (user + system, its children
    included) and peak RSS in MiB. Exit on failure, showing the log."""
    start = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=log)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        tail = log_path.read_text(encoding="utf-8")[-3000:]
        sys.exit(f"error: {' '.join(command[:2])} failed (log: {log_path}):\n{tail}")
    return {
        "wall_s": seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mib": usage.ru_maxrss / 1024,  # Linux reports kilobytes
    }


def slowest_nodes(target_dir: Path, count: int = 10) -> list[tuple[str, float]]:
    """The nodes that took longest in the last dbt invocation, slowest first."""
    results = json.loads((target_dir / "run_results.json").read_text(encoding="utf-8"))
    timed = [(r["unique_id"], r["execution_time"]) for r in results["results"]]
    return sorted(timed, key=lambda item: -item[1])[:count]


def models_seconds(target_dir: Path, names: set[str] | None = None) -> float:
    """Seconds the models (those named, or all) took in the last dbt invocation, from its
    run_results.json."""
    results = json.loads((target_dir / "run_results.json").read_text(encoding="utf-8"))
    return sum(
        r["execution_time"]
        for r in results["results"]
        if r["unique_id"].startswith("model.")
        and (names is None or r["unique_id"].split(".")[-1] in names)
    )


def dbt_command(*args: str) -> list[str]:
    return [str(BIN_DIR / "dbt"), *args]


def bench_scale(scale: str, seed: str, work_dir: Path) -> dict:
    raw_dir, truth_dir = work_dir / f"scale-{scale}" / "raw", work_dir / f"scale-{scale}" / "truth"
    db_path = work_dir / f"scale-{scale}.duckdb"
    shutil.rmtree(work_dir / f"scale-{scale}", ignore_errors=True)
    db_path.unlink(missing_ok=True)
    env = dbt_env(raw_dir, db_path)
    print(f"[bench] scale {scale}: generating ...", file=sys.stderr, flush=True)
    generate = run_measured(
        [
            sys.executable,
            "scripts/generate_synthetic_extract.py",
            *("--scale", scale, "--seed", seed),
            *("--out", str(raw_dir), "--truth-out", str(truth_dir), "--quiet"),
        ],
        env,
        work_dir / f"scale-{scale}-generate.log",
    )
    print(
        f"[bench] scale {scale}: dbt build, every model and data test ...",
        file=sys.stderr,
        flush=True,
    )
    target, core_target = work_dir / f"target-{scale}", work_dir / f"target-{scale}-core"
    build = run_measured(
        dbt_command("build", "--exclude-resource-type", "unit_test", "--target-path", str(target)),
        env,
        work_dir / f"scale-{scale}-dbt-build.log",
    )
    print(f"[bench] scale {scale}: the unit tests ...", file=sys.stderr, flush=True)
    unit = run_measured(
        dbt_command(
            "test", "--select", "test_type:unit", "--target-path", str(work_dir / "target-unit")
        ),
        env,
        work_dir / f"scale-{scale}-dbt-unit.log",
    )
    print(f"[bench] scale {scale}: the core path on its own ...", file=sys.stderr, flush=True)
    core = run_measured(
        dbt_command("run", "--select", *CORE_SELECTOR, "--target-path", str(core_target)),
        env,
        work_dir / f"scale-{scale}-dbt-core.log",
    )
    return {
        "offences": count_rows(raw_dir / "offences.csv"),
        "persons": count_rows(raw_dir / "offence_persons.csv"),
        "generate": generate,
        "build": build,
        "unit": unit,
        "core": core,
        "core_models_s": models_seconds(core_target),
        "catchment_s": models_seconds(target, CATCHMENT_MODELS),
        "slowest": slowest_nodes(target),
        "db_mib": db_path.stat().st_size / 2**20,
    }


def count_rows(path: Path) -> int:
    with open(path, encoding="utf-8") as handle:
        return sum(1 for _ in handle) - 1


def deployment_profile(work_dir: Path) -> Path:
    """profiles.yml with the deployment profile's memory limit and a spill folder."""
    import yaml  # noqa: PLC0415

    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    output = profile["school_exposure"]["outputs"]["local"]
    spill = work_dir / "spill"
    spill.mkdir(exist_ok=True)
    output["settings"] = {**output.get("settings", {}), "memory_limit": DEPLOYMENT_MEMORY_LIMIT}
    # as profiles.example.yml: set once at connect, DuckDB will not switch it once used
    output["config_options"] = {"temp_directory": str(spill)}
    folder = work_dir / "deployment-profile"
    folder.mkdir(exist_ok=True)
    (folder / "profiles.yml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    return folder


def bench_national(source_raw: Path, tiles: int, work_dir: Path) -> dict:
    """Tile an extract to national size and time the whole build on it."""
    raw_dir, db_path = work_dir / "national" / "raw", work_dir / "national.duckdb"
    db_path.unlink(missing_ok=True)
    print(f"[bench] national: tiling {tiles} copies ...", file=sys.stderr, flush=True)
    run_measured(
        [
            sys.executable,
            "scripts/tile_extract.py",
            *("--source", str(source_raw), "--out", str(raw_dir), "--tiles", str(tiles)),
        ],
        dict(os.environ),
        work_dir / "national-tile.log",
    )
    print(
        f"[bench] national: dbt build, every model and data test, memory_limit "
        f"{DEPLOYMENT_MEMORY_LIMIT} ...",
        file=sys.stderr,
        flush=True,
    )
    target_dir = work_dir / "national-target"
    env = dict(dbt_env(raw_dir, db_path), DBT_PROFILES_DIR=str(deployment_profile(work_dir)))
    build = run_measured(
        dbt_command(
            "build", "--exclude-resource-type", "unit_test", "--target-path", str(target_dir)
        ),
        env,
        work_dir / "national-dbt-build.log",
    )
    import duckdb  # noqa: PLC0415  (only needed here)

    con = duckdb.connect(str(db_path), read_only=True)
    count = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "lsoas": count("select count(*) from staging.stg_ons__lsoa_boundaries"),
        "schools": count("select count(*) from intermediate.int_school_rolls"),
        "pairs": count("select count(*) from intermediate.int_catchment_gravity_inputs"),
        "offences": count_rows(raw_dir / "offences.csv"),
        "persons": count_rows(raw_dir / "offence_persons.csv"),
        "build": build,
        "catchment_s": models_seconds(target_dir, CATCHMENT_MODELS),
        "slowest": slowest_nodes(target_dir),
        "db_mib": db_path.stat().st_size / 2**20,
    }


def print_slowest(slowest: list[tuple[str, float]]) -> None:
    for unique_id, seconds in slowest:
        print(f"    {seconds:7.2f} s  {unique_id}")


def measured(m: dict) -> str:
    return f"{m['wall_s']:7.1f} s wall {m['cpu_s']:7.1f} s CPU {m['peak_mib']:7.0f} MiB peak"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", nargs="+", default=["0.1", "1"], help="scales to run")
    parser.add_argument("--seed", default="42")
    parser.add_argument("--work-dir", type=Path, default=PROJECT_DIR / "data" / "bench")
    parser.add_argument(
        "--national-tiles",
        type=int,
        default=20,
        help="tiles of the largest scale for the national-size run (0: skip)",
    )
    args = parser.parse_args(argv)
    for scale in args.scales:
        if not (scale.replace(".", "", 1).isdigit() and float(scale) > 0):
            parser.error(f"scale must be a positive number, not {scale!r}")
    args.work_dir.mkdir(parents=True, exist_ok=True)

    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}", flush=True)
    for scale in args.scales:
        r = bench_scale(scale, args.seed, args.work_dir)
        print(
            f"\nscale {scale}: {r['offences']:,} offences, {r['persons']:,} person rows, "
            f"database {r['db_mib']:.0f} MiB\n"
            f"  generate                       {measured(r['generate'])}\n"
            f"  dbt build (models, data tests) {measured(r['build'])}"
            f"  (catchment models {r['catchment_s']:.1f} s)\n"
            f"  unit tests, dbt test           {measured(r['unit'])}\n"
            f"  core path, dbt run             {measured(r['core'])}"
            f"  (its models {r['core_models_s']:.1f} s)\n"
            "  ten slowest nodes of the build:",
            flush=True,
        )
        print_slowest(r["slowest"])
    if args.national_tiles > 0:
        largest = max(args.scales, key=float)
        n = bench_national(
            args.work_dir / f"scale-{largest}" / "raw", args.national_tiles, args.work_dir
        )
        print(
            f"\nnational size ({args.national_tiles} tiles of scale {largest}): "
            f"{n['lsoas']:,} LSOAs, {n['schools']:,} open schools, {n['pairs']:,} gravity "
            f"pairs, {n['offences']:,} offences, {n['persons']:,} person rows, "
            f"database {n['db_mib']:.0f} MiB\n"
            f"  dbt build (models, data tests), memory_limit {DEPLOYMENT_MEMORY_LIMIT}  "
            f"{measured(n['build'])}  (catchment models {n['catchment_s']:.1f} s)\n"
            "  ten slowest nodes:",
            flush=True,
        )
        print_slowest(n["slowest"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
