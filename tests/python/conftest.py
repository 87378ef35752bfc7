"""Shared fixtures: a small synthetic world, and the pipeline built on it once per session.

The world is generated afresh by scripts/generate_synthetic_extract.py at a small scale into a
temporary directory (so a changed generator is never tested against stale files), and dbt
builds it into a temporary database with a throw-away pseudonymisation key, so the tests never
touch the demo data, the demo database or the demo key.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCRIPTS_DIR = PROJECT_DIR / "scripts"
BIN_DIR = Path(sys.executable).parent
FIXTURE_SCALE = "0.02"
FIXTURE_SEED = "7"

sys.path.insert(0, str(SCRIPTS_DIR))

from dbt_runner import dbt_environment  # noqa: E402  (scripts/ is not a package)
from spatial_extension import load_spatial  # noqa: E402


@dataclass(frozen=True)
class World:
    raw_dir: Path
    truth_dir: Path


@dataclass(frozen=True)
class Build:
    world: World
    db_path: Path
    target_dir: Path
    log_dir: Path
    key: str
    returncode: int
    output: str

    def connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(str(self.db_path), read_only=True)
        load_spatial(con)
        return con

    def public_models(self) -> list[dict]:
        """The manifest nodes of the published tables (dbt access: public), by unique id."""
        manifest = json.loads((self.target_dir / "manifest.json").read_text(encoding="utf-8"))
        models = [
            node
            for _, node in sorted(manifest["nodes"].items())
            if node["resource_type"] == "model" and node.get("access") == "public"
        ]
        assert models, "no public model in the manifest"
        return models


def project_vars() -> dict:
    """The definitions (dbt vars) as dbt_project.yml sets them."""
    with open(PROJECT_DIR / "dbt_project.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["vars"]


def generate_world(out_dir: Path, scale: str, seed: str, *options: str) -> World:
    """Generate a synthetic extract (with its ground truth) into out_dir; `options` are more
    generator flags (e.g. --output-areas)."""
    world = World(out_dir / "raw", out_dir / "truth")
    subprocess.run(
        [
            sys.executable,
            str(SCRIPTS_DIR / "generate_synthetic_extract.py"),
            "--scale",
            scale,
            "--seed",
            seed,
            "--out",
            str(world.raw_dir),
            "--truth-out",
            str(world.truth_dir),
            "--quiet",
            *options,
        ],
        check=True,
        cwd=PROJECT_DIR,
    )
    return world


def dbt_env(raw_dir: Path, db_path: Path, key: str | None) -> dict[str, str]:
    """The environment of a test's dbt run: the project's profile, the world and database,
    and the test's own key (never the developer's)."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY")
    }
    env = dbt_environment(db_path, raw_dir, base)
    # Each run's artefacts beside its database, never in the project's target/: tests run in
    # two workers, and scripts such as run_build.py do not pass --target-path.
    env["DBT_TARGET_PATH"] = str(db_path.parent / "target")
    env["DBT_LOG_PATH"] = str(db_path.parent / "logs")
    if key is not None:
        env["SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY"] = key
    return env


def run_dbt(args: list[str], env: dict[str, str], target_dir: Path, log_dir: Path):
    return subprocess.run(
        [str(BIN_DIR / "dbt"), *args, "--target-path", str(target_dir), "--log-path", str(log_dir)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


def run_script(script: str, args: list[str], env: dict[str, str] | None = None):
    """One of the project's scripts/ with this Python, from the project folder, as a user
    would run it; its output captured."""
    return subprocess.run(
        [sys.executable, str(SCRIPTS_DIR / script), *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> World:
    return generate_world(tmp_path_factory.mktemp("world"), FIXTURE_SCALE, FIXTURE_SEED)


@pytest.fixture(scope="session")
def build(world: World, tmp_path_factory) -> Build:
    """`dbt build` (every model, seed, unit and data test) on the fixture world, once."""
    work = tmp_path_factory.mktemp("build")
    key = secrets.token_hex(32)
    db_path = work / "school_exposure.duckdb"
    target_dir, log_dir = work / "target", work / "logs"
    env = dbt_env(world.raw_dir, db_path, key)
    result = run_dbt(["build"], env, target_dir, log_dir)
    output = result.stdout + result.stderr
    if result.returncode == 0:
        docs = run_dbt(["docs", "generate"], env, target_dir, log_dir)
        output += docs.stdout + docs.stderr
    return Build(world, db_path, target_dir, log_dir, key, result.returncode, output)


@pytest.fixture(scope="session")
def built(build: Build) -> Build:
    """The build, for tests that need it to have succeeded."""
    if build.returncode != 0:
        pytest.fail("dbt build failed on the fixture world:\n" + build.output[-6000:])
    return build
