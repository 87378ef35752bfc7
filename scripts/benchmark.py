"""Benchmark: time the synthetic generator and `dbt build`, and their peak memory, per scale.

    python scripts/benchmark.py --scales 0.1 1

For each scale it generates a synthetic extract into data/bench/scale-<s>/, builds it from
scratch into data/bench/scale-<s>.duckdb (every model and test), and prints wall time and peak
resident memory of each step (the child process's own maximum, from wait4). The target the
foundation issue sets is `dbt build` at scale 1 within 60 seconds on a 2-core machine. Needs
a pseudonymisation key in the environment (`make bench` provides the demo one).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent


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
    env = dict(
        os.environ,
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        SCHOOL_EXPOSURE_RAW_DIR=str(raw_dir),
        SCHOOL_EXPOSURE_DB=str(db_path),
    )
    print(f"[bench] scale {scale}: generating ...", file=sys.stderr, flush=True)
    gen_s, gen_mb = run_measured(
        [sys.executable, "scripts/generate_synthetic_extract.py", "--scale", scale, "--seed",
         seed, "--out", str(raw_dir), "--truth-out", str(truth_dir), "--quiet"],
        env, work_dir / f"scale-{scale}-generate.log",
    )
    print(f"[bench] scale {scale}: dbt build ...", file=sys.stderr, flush=True)
    build_s, build_mb = run_measured(
        [str(BIN_DIR / "dbt"), "build", "--target-path", str(work_dir / "target")],
        env, work_dir / f"scale-{scale}-dbt-build.log",
    )
    offences = sum(1 for _ in open(raw_dir / "offences.csv", encoding="utf-8")) - 1
    persons = sum(1 for _ in open(raw_dir / "offence_persons.csv", encoding="utf-8")) - 1
    return {
        "offences": offences,
        "persons": persons,
        "generate_s": gen_s,
        "generate_peak_mib": gen_mb,
        "dbt_build_s": build_s,
        "dbt_build_peak_mib": build_mb,
        "db_mib": db_path.stat().st_size / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", nargs="+", default=["0.1", "1"], help="scales to run")
    parser.add_argument("--seed", default="42")
    parser.add_argument("--work-dir", type=Path, default=PROJECT_DIR / "data" / "bench")
    args = parser.parse_args(argv)
    for scale in args.scales:
        if not (scale.replace(".", "", 1).isdigit() and float(scale) > 0):
            parser.error(f"scale must be a positive number, not {scale!r}")
    args.work_dir.mkdir(parents=True, exist_ok=True)

    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    header = (
        f"{'scale':>6} {'offences':>9} {'persons':>9} {'generate s':>11} {'gen MiB':>8} "
        f"{'dbt build s':>12} {'build MiB':>10} {'db MiB':>7}"
    )
    print(header)
    for scale in args.scales:
        r = bench_scale(scale, args.seed, args.work_dir)
        print(
            f"{scale:>6} {r['offences']:>9,} {r['persons']:>9,} {r['generate_s']:>11.1f} "
            f"{r['generate_peak_mib']:>8.0f} {r['dbt_build_s']:>12.1f} "
            f"{r['dbt_build_peak_mib']:>10.0f} {r['db_mib']:>7.0f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
