#!/usr/bin/env python3
"""Check the project's structure from dbt's target/manifest.json, with the rules of
dbt-project-evaluator that this project follows (the package itself comes from dbt Hub, which
is out of reach here):

    python scripts/check_project.py [--manifest target/manifest.json]

Exit status 0 when every rule holds (or a break is listed in ALLOWED with its reason, which
the README repeats), 1 with one line per break otherwise, 2 on bad input.

  directories   a model lives where its name says: stg_ in models/staging/<source>/,
                base_ in models/staging/<source>/base/, int_ in
                models/intermediate/<domain>/, fct_ and dim_ in models/marts/<domain>/
  names         a model's name starts with base_, stg_, int_, fct_ or dim_, and a staging
                model's source part is its folder (stg_<source>__...)
  primary keys  every model has a key test: unique and not_null on one column, or
                unique_combination_of_columns
  tests         every model has at least one data test
  docs          every model, every source table and every macro has a description; every
                column of a public model is described; every macro argument is described
  contracts     every public model has an enforced contract
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

LAYERS = {
    "base_": "models/staging/{source}/base/",
    "stg_": "models/staging/{source}/",
    "int_": "models/intermediate/",
    "fct_": "models/marts/",
    "dim_": "models/marts/",
}
# Breaks of a rule that are meant, with the reason (README, "Project checks").
ALLOWED: dict[tuple[str, str], str] = {}


def model_tests(manifest: dict) -> dict[str, list[dict]]:
    tests: dict[str, list[dict]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        for parent in node.get("depends_on", {}).get("nodes", []):
            if parent.startswith("model."):
                tests.setdefault(parent, []).append(node)
    return tests


def has_key_test(tests: list[dict]) -> bool:
    unique, not_null = set(), set()
    for test in tests:
        meta = test.get("test_metadata") or {}
        name, column = meta.get("name"), test.get("column_name")
        if name == "unique_combination_of_columns":
            return True
        if name == "unique" and column:
            unique.add(column)
        if name == "not_null" and column:
            not_null.add(column)
    return bool(unique & not_null)


def check(manifest: dict) -> list[str]:
    problems: list[str] = []

    def fail(rule: str, name: str, message: str) -> None:
        if (rule, name) not in ALLOWED:
            problems.append(f"{rule}: {name}: {message}")

    tests = model_tests(manifest)
    project = manifest["metadata"].get("project_name", "school_exposure")
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] != "model" or node["package_name"] != project:
            continue
        name, path = node["name"], node["original_file_path"]
        prefix = next((p for p in LAYERS if name.startswith(p)), None)
        if prefix is None:
            fail("names", name, "does not start with base_, stg_, int_, fct_ or dim_")
        else:
            source = name[len(prefix) :].split("__")[0] if prefix in ("base_", "stg_") else ""
            folder = LAYERS[prefix].format(source=source)
            if not path.startswith(folder):
                fail("directories", name, f"is in {path}, not in {folder}")
            elif prefix == "stg_" and "/base/" in path:
                fail("directories", name, "a staging model in a base/ folder")
            if prefix in ("base_", "stg_") and "__" not in name:
                fail("names", name, "has no __ between source and entity")
            if prefix in ("int_", "fct_", "dim_") and path.count("/") < 3:
                fail("directories", name, f"is not in a domain folder ({path})")
        if not node.get("description", "").strip():
            fail("docs", name, "has no description")
        model_test_nodes = tests.get(uid, [])
        if not model_test_nodes:
            fail("tests", name, "has no data test")
        elif not has_key_test(model_test_nodes):
            fail("primary keys", name, "has no unique + not_null or unique_combination test")
        if node.get("access") == "public":
            if not node.get("config", {}).get("contract", {}).get("enforced"):
                fail("contracts", name, "is public without an enforced contract")
            for column, spec in node.get("columns", {}).items():
                if not spec.get("description", "").strip():
                    fail("docs", name, f"public column {column} has no description")
    for source in manifest["sources"].values():
        if source["package_name"] == project and not source.get("description", "").strip():
            fail("docs", f"{source['source_name']}.{source['name']}", "source has no description")
    for macro in manifest["macros"].values():
        if macro["package_name"] != project:
            continue
        if not macro.get("description", "").strip():
            fail("docs", macro["name"], "macro has no description (macros/**/_*.yml)")
        for argument in macro.get("arguments", []):
            if not (argument.get("description") or "").strip():
                fail("docs", macro["name"], f"macro argument {argument['name']} undescribed")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Run after `dbt parse` or any dbt build; make test runs it on the fixture build.",
    )
    parser.add_argument(
        "--manifest", type=Path, default=Path("target/manifest.json"), help="dbt's manifest"
    )
    args = parser.parse_args(argv)
    if not args.manifest.is_file():
        print(f"error: no manifest at {args.manifest}: run `dbt parse` first", file=sys.stderr)
        return 2
    problems = check(json.loads(args.manifest.read_text()))
    for problem in problems:
        print(problem)
    if not problems:
        print("project checks: every rule holds")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
