#!/usr/bin/env python3
"""Run the timestamp-parsing staging model many times and count crashes.

    python scripts/stress_staging.py --runs 50 [--raw-dir data/raw] [--model base_police__offences]

Two of about 23 scale-1 builds once died with a segmentation fault inside DuckDB 1.5.5's
StrpTimeFormat::Parse, reached through try_strptime() with a list of formats in
base_police__offences. The timestamps are now parsed by shape and cast (macro
parse_timestamp); this loop shows whether any run still dies. Each run is a fresh dbt
process on a throw-away database; a run killed by a signal is a crash. Prints one line per
run and a summary; exits 1 if any run crashed or failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dbt_runner import dbt_environment, run_dbt  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="dbt runs (default 50)")
    parser.add_argument(
        "--raw-dir",
        default=os.environ.get("SCHOOL_EXPOSURE_RAW_DIR", "data/raw"),
        help="the extract to read (default: SCHOOL_EXPOSURE_RAW_DIR or data/raw)",
    )
    parser.add_argument(
        "--model",
        default="base_police__offences",
        help="the model to run with its parents (default base_police__offences)",
    )
    args = parser.parse_args(argv)
    if not (Path(args.raw_dir) / "offences.csv").exists():
        print(f"error: no offences.csv in {args.raw_dir} (make data makes one)", file=sys.stderr)
        return 2
    crashes = failures = 0
    with tempfile.TemporaryDirectory() as work:
        env = dbt_environment(Path(work) / "stress.duckdb", args.raw_dir)
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            result = run_dbt(
                [
                    "build",
                    "--select",
                    f"+{args.model}",
                    "--exclude-resource-type",
                    "test",
                    "unit_test",
                ],
                env,
                Path(work),
            )
            outcome = "ok"
            if result.returncode < 0 or result.returncode in (134, 139):
                crashes += 1
                outcome = f"CRASHED (signal {-result.returncode})"
            elif result.returncode != 0:
                failures += 1
                outcome = f"failed (exit {result.returncode})"
            print(f"run {run:3d}: {outcome} in {time.monotonic() - started:.1f} s", flush=True)
    print(f"{args.runs} runs of +{args.model}: {crashes} crashed, {failures} failed otherwise")
    return 1 if crashes or failures else 0


if __name__ == "__main__":
    sys.exit(main())
