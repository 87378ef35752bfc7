"""Running dbt from the project's scripts and tests: one place for the executable (the one
beside this Python, in .venv), the environment (this project's profile, the database, the raw
directory, no usage statistics) and, when given, a work folder for target/ and logs/.

A library, not a command: run_build.py, truth_evaluation.py, catchment_sensitivity.py,
stress_staging.py and the pytest fixtures use it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def dbt_executable() -> Path:
    return Path(sys.executable).with_name("dbt")


def dbt_environment(
    db: Path | str, raw_dir: Path | str | None = None, base: dict | None = None
) -> dict[str, str]:
    """`base` (default: this process's environment) with the project's profile, the
    database and, when given, the raw directory."""
    env = dict(os.environ if base is None else base)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        SCHOOL_EXPOSURE_DB=str(db),
    )
    if raw_dir is not None:
        env["SCHOOL_EXPOSURE_RAW_DIR"] = str(raw_dir)
    return env


def run_dbt(
    args: list[str],
    env: dict[str, str],
    work: Path | None = None,
    capture: bool = True,
) -> subprocess.CompletedProcess:
    """dbt `args` in the project folder; with `work`, its target/ and logs/ go there."""
    command = [str(dbt_executable()), *args]
    if work is not None:
        command += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=capture, text=True)
