"""The project's structure, as a newcomer and dbt-project-evaluator would check it: models
where their names say, keys, tests and docs on every model, every macro described with its
arguments, one list of reject reasons, warnings that say why, imports first."""

from __future__ import annotations

import csv
import re

import pytest
import yaml

from check_project import check
from conftest import PROJECT_DIR, Build
from synthetic import defects

MACRO_FOLDERS = [
    *sorted((PROJECT_DIR / "macros").rglob("*.sql")),
    *sorted((PROJECT_DIR / "tests" / "generic").glob("*.sql")),
]
SIGNATURE = re.compile(r"\{%-?\s*(macro|test) ([a-z_]+)\((.*?)\)\s*-?%\}", re.S)


def signature_arguments(text: str) -> list[str]:
    arguments, depth, current = [], 0, ""
    for char in text:
        depth += char in "[{("
        depth -= char in "]})"
        if char == "," and depth == 0:
            arguments.append(current)
            current = ""
        else:
            current += char
    arguments.append(current)
    return [a.split("=")[0].strip() for a in arguments if a.strip()]


def test_the_project_checks_hold_on_the_built_manifest(built: Build):
    import json

    manifest = json.loads((built.target_dir / "manifest.json").read_text())
    assert check(manifest) == []


def test_the_core_path_reads_no_person(built: Build):
    """The all-violence area rates and the school home-area exposure (scripts/benchmark.py
    CORE_SELECTOR: what an analyst's notebook computes) build without the person extract:
    nothing upstream of them is a person file or a person-level model (issue 16). The youth
    measures, which need persons, have models of their own."""
    import json

    from benchmark import CORE_SELECTOR

    manifest = json.loads((built.target_dir / "manifest.json").read_text())
    by_name = {
        node["name"]: unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }
    stack = [by_name[selector.lstrip("+")] for selector in CORE_SELECTOR]
    upstream = set()
    while stack:
        unique_id = stack.pop()
        if unique_id not in upstream:
            upstream.add(unique_id)
            stack.extend(manifest["parent_map"].get(unique_id, []))
    nodes = {**manifest["nodes"], **manifest["sources"]}

    def grain(node: dict) -> str | None:
        return ((node.get("config") or {}).get("meta") or node.get("meta") or {}).get("grain")

    personal = sorted(
        unique_id
        for unique_id in upstream
        if "persons" in unique_id or grain(nodes[unique_id]) == "person"
    )
    assert len(upstream) > 20
    assert personal == []


def test_every_macro_is_described_with_its_arguments():
    documented = {}
    for path in [
        *(PROJECT_DIR / "macros").rglob("_*.yml"),
        PROJECT_DIR / "tests" / "generic" / "_generic__tests.yml",
    ]:
        for macro in yaml.safe_load(path.read_text())["macros"]:
            documented[macro["name"]] = macro
    for path in MACRO_FOLDERS:
        for kind, name, arguments in SIGNATURE.findall(path.read_text()):
            key = f"test_{name}" if kind == "test" else name
            assert key in documented, f"{key} ({path.name}) has no YAML description"
            entry = documented[key]
            assert entry.get("description"), key
            listed = [a["name"] for a in entry.get("arguments", [])]
            assert listed == signature_arguments(arguments), (key, listed)
            assert all(a.get("description") for a in entry.get("arguments", [])), key


def seed_reasons() -> dict[str, set[str]]:
    with open(PROJECT_DIR / "seeds" / "reject_reasons.csv", newline="", encoding="utf-8") as f:
        reasons: dict[str, set[str]] = {}
        for row in csv.DictReader(f):
            reasons.setdefault(row["source_file"], set()).add(row["reject_reason"])
    return reasons


def test_the_reject_reasons_docs_table_is_the_seed():
    docs = (PROJECT_DIR / "models" / "staging" / "_staging__docs.md").read_text()
    start = docs.index("{% docs reject_reason %}")
    table = docs[start : docs.index("{% enddocs %}", start)]
    in_docs = set(
        re.findall(
            r"`([a-z_]+)`",
            "\n".join(line.split("|")[1] for line in table.splitlines() if line.startswith("| `")),
        )
    )
    in_seed = set().union(*seed_reasons().values())
    assert in_docs == in_seed, (sorted(in_docs - in_seed), sorted(in_seed - in_docs))


def test_the_generator_injects_only_listed_reasons():
    listed = seed_reasons()
    for file, kinds in defects.DEFECTS_BY_FILE.items():
        assert set(kinds) <= listed[file], file


def yaml_files():
    return sorted((PROJECT_DIR / "models").rglob("*.yml"))


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: p.name)
def test_every_warning_says_why(path):
    """A test that only warns carries a comment saying why it does not stop the build."""
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines):
        if line.strip() == "severity: warn":
            before = lines[max(0, number - 8) : number]
            assert any(text.strip().startswith("#") for text in before), (
                f"{path.name}:{number + 1}: severity warn without a reason"
            )


def test_every_singular_warning_says_why():
    for path in (PROJECT_DIR / "tests").rglob("*.sql"):
        text = path.read_text()
        if "severity='warn'" in text and "generic" not in path.parts:
            assert text.lstrip().startswith("--"), f"{path.name} warns without a reason"


@pytest.mark.parametrize(
    "path", sorted((PROJECT_DIR / "models").rglob("*.sql")), ids=lambda p: p.name
)
def test_import_ctes_come_first(path):
    """The CTEs that only select from ref() or source() open the model (jaffle-shop)."""
    ctes = re.findall(r"(?m)^([a-z_]+) as (?:materialized )?\(\n(.*?)\n\)", path.read_text(), re.S)
    is_import = [
        bool(
            re.fullmatch(
                r"\s*select \* from \{\{ (ref|source)\([^)]*\) \}\}\s*"
                r"(where[^\n]*\n?)*",
                body,
            )
        )
        for _, body in ctes
    ]
    seen_logic = False
    for (name, _), importing in zip(ctes, is_import):
        if importing:
            assert not seen_logic, f"{path.name}: import CTE {name} after logic"
        else:
            seen_logic = True
