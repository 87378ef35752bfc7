#!/usr/bin/env python3
"""Check, from dbt's target/manifest.json (and catalog.json when there is one), that nothing
personal reaches a published model and that every published model is disclosure-controlled.

Run after `dbt build` or `dbt compile` (the aggregation check reads compiled SQL):

    python scripts/check_governance.py [--manifest target/manifest.json] [--catalog ...]

Exit status 0 when every check passes, 1 with one line per problem otherwise, 2 on bad input.

Checks (a "public model" is a model with access: public):

personal data
  P1  A column whose name carries `meta.pii` anywhere (source or model) is not a column of a
      public model. A `quasi` column may appear in a public model only as an aggregated
      category, marked on that column with `meta.pii_aggregated: "<why it is safe>"`; a
      `direct` one never. Column names that look personal (person, birth, dob, home_) are
      refused in public models whatever their meta.
  P2  In a model that is not public, a column whose name carries `meta.pii` upstream carries
      `meta.pii` too, so the classification follows the data (columns from catalog.json when
      given, else those in the YAML).
record-level data (grain)
  G1  Record-level grains are `person` and `offence` (`meta.grain` on sources and models).
      Every model that reads a record-level source or model directly declares `meta.grain`.
  G2  A model that reads record-level data but declares another grain must aggregate: its
      compiled SQL has a GROUP BY, or an aggregate function call and no window (OVER).
      A heuristic: it cannot tell a GROUP BY person_id from a real aggregation, which is why
      P1 and the pytest scan of published tables for pseudonyms back it up.
  G3  A public model declares a grain, and not a record-level one.
disclosure
  D1  A public model has an enforced contract and config.meta.disclosure (key, counts,
      derived, groups).
  D2  It carries every disclosure test (DISCLOSURE_TESTS).
  D3  Every numeric or boolean column is accounted for: a count, a derived column, a
      `<count>_suppressed` flag, a key column, or listed in disclosure.not_counts with a
      reason; every count has a boolean `<count>_suppressed` column.
audience
  A1  Every mart (models/marts) declares `meta.audience`: `public` (may be published: names no
      school and holds no school-level figure), `vru` (named schools, for the VRU only: ranks
      are a prompt for a conversation with a school, never a league table) or `analyst` (the
      data owner's working tables, such as exact row counts of the files).
  A2  A `public` model is a public model (access: public, so D1-D3 and C1 apply), has no
      school grain, and no column that names or keys a school (urn, school or establishment
      names) or counts for one (a column whose name starts school_ or pupils_).
docs
  C1  A public model's description contains the docs block `disclosure__published` (the
      threshold and rounding), and the docs overview names both vars.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

RECORD_GRAINS = {"person", "offence"}
DISCLOSURE_TESTS = {
    "disclosure_no_small_counts",
    "disclosure_counts_rounded",
    "disclosure_flags_match_counts",
    "disclosure_derived_suppressed",
    "disclosure_no_recoverable_cells",
}
AUDIENCES = {"public", "vru", "analyst"}
SCHOOL_GRAINS = {"school", "school_measure"}
SCHOOL_COLUMN = re.compile(r"\burn\b|^urn_|_urn$|school_name|establishment|^school_|^pupils_")
PERSONAL_NAME = re.compile(r"person|birth|\bdob\b|^dob_|_dob$|^home_|nominal", re.IGNORECASE)
NUMERIC_TYPE = re.compile(r"int|double|float|real|decimal|numeric|bool", re.IGNORECASE)
AGGREGATE_CALL = re.compile(
    r"\b(count|sum|avg|mean|min|max|median|quantile\w*|mode|string_agg|list|array_agg|"
    r"bool_and|bool_or|any_value|arg_min|arg_max|stddev\w*|var_\w+)\s*\(",
    re.IGNORECASE,
)


def meta(node: dict) -> dict:
    return (node.get("config") or {}).get("meta") or node.get("meta") or {}


def column_meta(column: dict) -> dict:
    return (column.get("config") or {}).get("meta") or column.get("meta") or {}


def sql_without_comments_and_strings(sql: str) -> str:
    sql = re.sub(r"--[^\n]*", " ", sql)
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.DOTALL)
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def aggregates(sql: str) -> bool:
    sql = sql_without_comments_and_strings(sql)
    if re.search(r"\bgroup\s+by\b", sql, re.IGNORECASE):
        return True
    has_window = re.search(r"\bover\s*\(", sql, re.IGNORECASE)
    return bool(AGGREGATE_CALL.search(sql)) and not has_window


class Checker:
    def __init__(self, manifest: dict, catalog: dict | None):
        self.manifest = manifest
        self.catalog = catalog
        self.problems: list[str] = []
        self.nodes = {**manifest["nodes"], **manifest.get("sources", {})}
        self.models = {
            uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"
        }
        self.public = {
            uid: node for uid, node in self.models.items() if node.get("access") == "public"
        }

    def fail(self, code: str, node: dict, message: str) -> None:
        self.problems.append(f"{code} {node['name']}: {message}")

    def columns(self, uid: str) -> dict[str, dict]:
        """Column name (lower case) -> the YAML column, or {} for an undocumented one."""
        node = self.nodes[uid]
        found = {name.lower(): col for name, col in (node.get("columns") or {}).items()}
        if self.catalog:
            entry = self.catalog.get("nodes", {}).get(uid) or self.catalog.get("sources", {}).get(
                uid
            )
            for name in (entry or {}).get("columns", {}):
                found.setdefault(name.lower(), {})
        return found

    def pii_columns(self) -> dict[str, set[str]]:
        """Column name -> the pii classes it carries anywhere."""
        found: dict[str, set[str]] = {}
        for node in self.nodes.values():
            for name, col in (node.get("columns") or {}).items():
                pii = column_meta(col).get("pii")
                if pii:
                    found.setdefault(name.lower(), set()).add(pii)
        return found

    def upstream(self, uid: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self.nodes[uid].get("depends_on", {}).get("nodes", []))
        while stack:
            parent = stack.pop()
            if parent in seen or parent not in self.nodes:
                continue
            seen.add(parent)
            stack.extend(self.nodes[parent].get("depends_on", {}).get("nodes", []))
        return seen

    # personal data ---------------------------------------------------------------------------
    def check_pii(self) -> None:
        pii = self.pii_columns()
        for uid, node in self.public.items():
            for name, col in self.columns(uid).items():
                classes = pii.get(name, set())
                waiver = column_meta(col).get("pii_aggregated")
                if "direct" in classes:
                    self.fail("P1", node, f"column {name} is a direct identifier upstream")
                elif classes and not waiver:
                    self.fail(
                        "P1",
                        node,
                        f"column {name} is personal data upstream "
                        f"({'/'.join(sorted(classes))}); publish it only as an aggregated "
                        "category, with meta.pii_aggregated saying why",
                    )
                if PERSONAL_NAME.search(name) and "direct" not in classes:
                    self.fail("P1", node, f"column {name} looks personal by its name")
        for uid, node in self.models.items():
            if uid in self.public:
                continue
            upstream_pii = {
                name.lower()
                for parent in self.upstream(uid)
                for name, col in (self.nodes[parent].get("columns") or {}).items()
                if column_meta(col).get("pii")
            }
            for name, col in self.columns(uid).items():
                if name in upstream_pii and not column_meta(col).get("pii"):
                    self.fail(
                        "P2",
                        node,
                        f"column {name} is personal data upstream but carries no meta.pii here",
                    )

    # grain -------------------------------------------------------------------------------------
    def check_grain(self) -> None:
        for uid, node in self.models.items():
            grain = meta(node).get("grain")
            parents = [
                self.nodes[p]
                for p in node.get("depends_on", {}).get("nodes", [])
                if p in self.nodes
            ]
            record_parents = [p for p in parents if meta(p).get("grain") in RECORD_GRAINS]
            if record_parents and not grain:
                names = ", ".join(sorted(p["name"] for p in record_parents))
                self.fail("G1", node, f"reads record-level {names} but declares no meta.grain")
            if record_parents and grain and grain not in RECORD_GRAINS:
                sql = node.get("compiled_code")
                if sql is None:
                    self.fail(
                        "G2",
                        node,
                        "no compiled SQL in the manifest: run dbt compile or build first",
                    )
                elif not aggregates(sql):
                    self.fail(
                        "G2",
                        node,
                        f"declares grain {grain} but its SQL does not aggregate the "
                        "record-level rows it reads",
                    )
            if uid in self.public:
                if not grain:
                    self.fail("G3", node, "public model without meta.grain")
                elif grain in RECORD_GRAINS:
                    self.fail("G3", node, f"public model of record-level grain {grain}")

    # disclosure --------------------------------------------------------------------------------
    def check_disclosure(self) -> None:
        tests_on: dict[str, set[str]] = {}
        for node in self.manifest["nodes"].values():
            if node["resource_type"] == "test" and node.get("test_metadata"):
                attached = node.get("attached_node")
                if attached:
                    tests_on.setdefault(attached, set()).add(node["test_metadata"]["name"])
        for uid, node in self.public.items():
            if not (node.get("contract") or {}).get("enforced"):
                self.fail("D1", node, "public model without an enforced contract")
            spec = meta(node).get("disclosure")
            if not isinstance(spec, dict):
                self.fail("D1", node, "public model without config.meta.disclosure")
                continue
            missing = [k for k in ("key", "counts", "derived", "groups") if spec.get(k) is None]
            if missing:
                self.fail("D1", node, f"config.meta.disclosure lacks {', '.join(missing)}")
                continue
            absent = DISCLOSURE_TESTS - tests_on.get(uid, set())
            if absent:
                self.fail("D2", node, f"missing disclosure tests: {', '.join(sorted(absent))}")
            counts = set(spec["counts"])
            accounted = (
                counts
                | set(spec["derived"])
                | {f"{c}_suppressed" for c in counts}
                | set(spec["key"])
                | set(spec.get("not_counts") or {})
            )
            columns = node.get("columns") or {}
            for count in counts:
                flag = columns.get(f"{count}_suppressed")
                if count not in columns:
                    self.fail("D3", node, f"count {count} is not a column")
                if not flag or "bool" not in (flag.get("data_type") or "").lower():
                    self.fail("D3", node, f"count {count} has no boolean {count}_suppressed column")
            for name, col in columns.items():
                if NUMERIC_TYPE.search(col.get("data_type") or "") and name not in accounted:
                    self.fail(
                        "D3",
                        node,
                        f"column {name} ({col.get('data_type')}) is neither a count, "
                        "derived, a flag, a key, nor in disclosure.not_counts",
                    )

    # audience ---------------------------------------------------------------------------------
    def check_audience(self) -> None:
        for uid, node in self.models.items():
            audience = meta(node).get("audience")
            if "marts" in node.get("fqn", []) and audience not in AUDIENCES:
                self.fail(
                    "A1",
                    node,
                    f"mart declares meta.audience {audience!r}, not one of "
                    + ", ".join(sorted(AUDIENCES)),
                )
            if audience != "public":
                continue
            if uid not in self.public:
                self.fail("A2", node, "audience public but not access: public")
            if meta(node).get("grain") in SCHOOL_GRAINS:
                self.fail("A2", node, f"audience public with school grain {meta(node)['grain']}")
            for name in self.columns(uid):
                if SCHOOL_COLUMN.search(name):
                    self.fail(
                        "A2",
                        node,
                        f"audience public but column {name} names, keys or counts for a school",
                    )

    # docs ---------------------------------------------------------------------------------------
    def check_docs(self) -> None:
        block = next(
            (
                d
                for d in self.manifest.get("docs", {}).values()
                if d["name"] == "disclosure__published"
            ),
            None,
        )
        if block is None:
            self.problems.append("C1 the docs block disclosure__published is missing")
            return
        text = block["block_contents"].strip()
        for node in self.public.values():
            if text not in (node.get("description") or ""):
                self.fail(
                    "C1", node, "description does not include {{ doc('disclosure__published') }}"
                )
        overview = next(
            (
                d
                for d in self.manifest.get("docs", {}).values()
                if d["name"] == "__overview__"
                and d["package_name"]
                == self.manifest["metadata"].get("project_name", d["package_name"])
            ),
            None,
        )
        for var in ("disclosure_min_count", "disclosure_rounding"):
            if overview is None or var not in overview["block_contents"]:
                self.problems.append(f"C1 the docs overview does not name var {var}")

    def run(self, checks: list[str]) -> list[str]:
        for check in checks:
            getattr(self, f"check_{check}")()
        return self.problems


CHECKS = ["pii", "grain", "disclosure", "audience", "docs"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Checks: " + ", ".join(CHECKS) + ". See the module docstring for each rule.",
    )
    parser.add_argument(
        "--manifest",
        type=Path,
        default=Path("target/manifest.json"),
        help="dbt manifest (default: target/manifest.json)",
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        default=None,
        help="dbt catalog from `dbt docs generate`, to see every real column"
        " (default: catalog.json beside the manifest, when present)",
    )
    parser.add_argument(
        "--check",
        action="append",
        choices=CHECKS,
        help="run only this check (repeatable; default: all)",
    )
    args = parser.parse_args(argv)
    if not args.manifest.is_file():
        print(
            f"error: no manifest at {args.manifest}: run dbt build or dbt compile first",
            file=sys.stderr,
        )
        return 2
    manifest = json.loads(args.manifest.read_text())
    catalog_path = args.catalog or args.manifest.with_name("catalog.json")
    catalog = json.loads(catalog_path.read_text()) if catalog_path.is_file() else None
    problems = Checker(manifest, catalog).run(args.check or CHECKS)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} governance problem(s)", file=sys.stderr)
        return 1
    print("governance checks passed: " + ", ".join(args.check or CHECKS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
