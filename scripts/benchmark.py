"""Benchmark: time the synthetic generator and `dbt build`, and their peak memory, per scale.

    python scripts/benchmark.py --scales 0.1 1 --national-tiles 20

For each scale it generates a synthetic extract into data/bench/scale-<s>/, builds it from
scratch into data/bench/scale-<s>.duckdb (every model and test), and prints wall time and peak
resident memory of each step (the child process's own maximum, from wait4), and the time the
catchment models (models/intermediate/catchment) took within the build. The target is `dbt
build` at scale 1 within 60 seconds on a 2-core machine.

Then, unless --national-tiles is 0, it tiles the largest scale's extract into a geography of
national size (scripts/tile_extract.py: 20 tiles give about 34,000 LSOAs and 24,000 schools,
England has about 33,800 and 24,000) and times a `dbt build` (models only) of the catchment
models and what they read. Needs a pseudonymisation key in the environment (`make bench`
provides the demo one).
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
CATCHMENT_MODELS = {
    p.stem
    for p in (PROJECT_DIR / "models/intermediate/catchment").iterdir()
    if p.suffix in (".sql", ".py")
}


def catchment_seconds(target_dir: Path) -> float:
    """Seconds the catchment models took in the last dbt invocation (run_results.json)."""
    results = json.loads((target_dir / "run_results.json").read_text(encoding="utf-8"))
    return sum(
        r["execution_time"]
        for r in results["results"]
        if r["unique_id"].startswith("model.") and r["unique_id"].split(".")[-1] in CATCHMENT_MODELS
    )


def dbt_env(raw_dir: Path, db_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        SCHOOL_EXPOSURE_RAW_DIR=str(raw_dir),
        SCHOOL_EXPOSURE_DB=str(db_path),
    )


def run_measured(command: list[str], env: dict[str, str], log_path: Path) -> tuple[float, float]:
    """Run `command`; return (wall seconds, peak RSS in MiB). Exit on failure, showing the log."""
    start = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=log)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        tail = log_path.read_text(encoding="utf-8")[-3000:]
        sys.exit(f"error: {' '.join(command[:2])} failed (log: {log_path}):\n{tail}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports kilobytes


def bench_scale(scale: str, seed: str, work_dir: Path) -> dict[str, float]:
    raw_dir, truth_dir = work_dir / f"scale-{scale}" / "raw", work_dir / f"scale-{scale}" / "truth"
    db_path = work_dir / f"scale-{scale}.duckdb"
    shutil.rmtree(work_dir / f"scale-{scale}", ignore_errors=True)
    db_path.unlink(missing_ok=True)
    env = dbt_env(raw_dir, db_path)
    print(f"[bench] scale {scale}: generating ...", file=sys.stderr, flush=True)
    gen_s, gen_mb = run_measured(
        [
            sys.executable,
            "scripts/generate_synthetic_extract.py",
            "--scale",
            scale,
            "--seed",
            seed,
            "--out",
            str(raw_dir),
            "--truth-out",
            str(truth_dir),
            "--quiet",
        ],
        env,
        work_dir / f"scale-{scale}-generate.log",
    )
    print(f"[bench] scale {scale}: dbt build ...", file=sys.stderr, flush=True)
    build_s, build_mb = run_measured(
        [str(BIN_DIR / "dbt"), "build", "--target-path", str(work_dir / "target")],
        env,
        work_dir / f"scale-{scale}-dbt-build.log",
    )
    with open(raw_dir / "offences.csv", encoding="utf-8") as handle:
        offences = sum(1 for _ in handle) - 1
    with open(raw_dir / "offence_persons.csv", encoding="utf-8") as handle:
        persons = sum(1 for _ in handle) - 1
    return {
        "offences": offences,
        "persons": persons,
        "generate_s": gen_s,
        "generate_peak_mib": gen_mb,
        "dbt_build_s": build_s,
        "dbt_build_peak_mib": build_mb,
        "catchment_s": catchment_seconds(work_dir / "target"),
        "db_mib": db_path.stat().st_size / 2**20,
    }


def bench_national(source_raw: Path, tiles: int, work_dir: Path) -> dict[str, float]:
    """Tile an extract to national size and time the catchment models on it."""
    raw_dir, db_path = work_dir / "national" / "raw", work_dir / "national.duckdb"
    db_path.unlink(missing_ok=True)
    print(f"[bench] national: tiling {tiles} copies ...", file=sys.stderr, flush=True)
    run_measured(
        [
            sys.executable,
            "scripts/tile_extract.py",
            "--source",
            str(source_raw),
            "--out",
            str(raw_dir),
            "--tiles",
            str(tiles),
        ],
        dict(os.environ),
        work_dir / "national-tile.log",
    )
    print(
        "[bench] national: dbt build (models only) of the catchment models ...",
        file=sys.stderr,
        flush=True,
    )
    target_dir = work_dir / "national-target"
    run_s, run_mb = run_measured(
        [
            str(BIN_DIR / "dbt"),
            "build",
            "--select",
            "+int_catchment_flows_selected",
            "--exclude-resource-type",
            "test",
            "unit_test",
            "--target-path",
            str(target_dir),
        ],
        dbt_env(raw_dir, db_path),
        work_dir / "national-dbt-run.log",
    )
    import duckdb  # noqa: PLC0415  (only needed here)

    con = duckdb.connect(str(db_path), read_only=True)
    count = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "lsoas": count("select count(*) from staging.stg_ons__lsoa_boundaries"),
        "schools": count("select count(*) from intermediate.int_school_rolls"),
        "pairs": count("select count(*) from intermediate.int_catchment_gravity_inputs"),
        "dbt_run_s": run_s,
        "dbt_run_peak_mib": run_mb,
        "catchment_s": catchment_seconds(target_dir),
    }


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

    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    header = (
        f"{'scale':>6} {'offences':>9} {'persons':>9} {'generate s':>11} {'gen MiB':>8} "
        f"{'dbt build s':>12} {'build MiB':>10} {'catchment s':>12} {'db MiB':>7}"
    )
    print(header)
    for scale in args.scales:
        r = bench_scale(scale, args.seed, args.work_dir)
        print(
            f"{scale:>6} {r['offences']:>9,} {r['persons']:>9,} {r['generate_s']:>11.1f} "
            f"{r['generate_peak_mib']:>8.0f} {r['dbt_build_s']:>12.1f} "
            f"{r['dbt_build_peak_mib']:>10.0f} {r['catchment_s']:>12.1f} {r['db_mib']:>7.0f}",
            flush=True,
        )
    if args.national_tiles > 0:
        largest = max(args.scales, key=float)
        n = bench_national(
            args.work_dir / f"scale-{largest}" / "raw", args.national_tiles, args.work_dir
        )
        print(
            f"\nnational-size geography ({args.national_tiles} tiles of scale {largest}): "
            f"{n['lsoas']:,} LSOAs, {n['schools']:,} open schools, {n['pairs']:,} gravity pairs\n"
            "dbt build of the catchment models and their inputs (no tests): "
            f"{n['dbt_run_s']:.1f} s, "
            f"peak {n['dbt_run_peak_mib']:.0f} MiB; catchment models {n['catchment_s']:.1f} s",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
