#!/usr/bin/env python3
"""Write the project's Algorithmic Transparency Recording Standard (ATRS) record, version 4.

    python scripts/transparency_record.py --db data/school_exposure.duckdb \\
        [--manifest target/manifest.json] [--out outputs/transparency-record.md]

The record is generated, not written by hand: every figure and list in it comes from the
project's own metadata, so it cannot drift from what the pipeline does.

- the dbt manifest (`dbt docs generate` or `make build` writes it): the sources, the
  published marts with their meta.audience and descriptions, the counts of models and tests
  by type, the disclosure tests, and the warning tests with their thresholds;
- dbt_project.yml's vars: the definitions (window, school age, disclosure rules, priority
  weights, catchment method, quality thresholds);
- the built database, read only: marts.build_status (when and what ran),
  marts.dim_priority_measures (the measures used and why any is unavailable),
  marts.fct_data_quality (headline shares only, never its exact counts),
  marts.fct_bias_checks (which checks ran on which inputs), the number of schools in
  marts.fct_school_exposure and the window of marts.fct_area_violence;
- validation results, if given with --validation (files written by the evaluation
  scripts); otherwise the record names the scripts that measure them and says "not measured
  in this run". It never invents a figure.

What only the force can say (its organisation, senior responsible owner, contact, DPIA,
equality impact assessment, procurement, information-sharing agreement, go-live date ...)
is marked **[TO BE COMPLETED BY THE FORCE: ...]** and listed again in a checklist at the
end. The record is public-facing: it names no school and gives no URN, and the script
refuses to write it if a school's name or URN from the database found its way in.

Sections follow the ATRS v4 template (the Algorithmic Transparency Recording Standard,
CDDO and DSIT; GitHub co-cddo/algorithmic-transparency-recording-standard, change log v3.0
to v4.0): Tier 1 summary information; Tier 2 owner and responsibility, description and
rationale, deployment context, tool specification, model specification, development data,
operational data, and risks, mitigations and impact assessments.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from spatial_extension import load_spatial  # noqa: E402  (scripts/ is not a package)

PROJECT_DIR = Path(__file__).resolve().parents[1]
STANDARD = "Algorithmic Transparency Recording Standard (ATRS), version 4.0"
TOOL_NAME = "School violence-exposure pipeline"
REPOSITORY_NOTE = "the project's open-source repository (README.md, docs/ethics-and-method.md)"

# The scripts that measure the model's performance on synthetic worlds with a known truth.
# A real extract has no truth, so none of them runs in a normal build.
VALIDATION_SCRIPTS = {
    "scripts/evaluate_worlds.py": (
        "catchment overlap with the true catchments, Spearman correlation of exposure with "
        "true-catchment exposure, top-10% recall, 90% interval coverage of the measures "
        "and of the priority rank, on every school-choice process of the generator, with "
        "a force extract or from offences alone"
    ),
    "scripts/catchment_evaluation.py": "share of pupils placed in their true LSOA, per method",
    "scripts/exposure_evaluation.py": "rank correlation of exposure with the true exposure",
    "scripts/offender_attribution_evaluation.py": (
        "how often offenders are attributed to their true school"
    ),
    "scripts/catchment_sensitivity.py": (
        "how ranks move when the distance decay is halved or doubled"
    ),
    "scripts/rank_interval_sensitivity.py": "width of the top schools' 90% rank intervals",
    "scripts/disclosure_audit.py": (
        "integer-programming audit of how far suppressed area counts can be recovered"
    ),
}

# The headline shares of fct_data_quality the record quotes: shares, never exact counts (the
# mart's counts are exact row counts, audience analyst, not for publication).
QUALITY_HEADLINES = {
    ("offences.csv", "geocoding_hit_rate"): "offences placed in an LSOA (geocoding hit rate)",
    ("offences.csv", "rows_rejected"): "offence rows rejected",
    ("offence_persons.csv", "rows_rejected"): "person rows rejected",
    ("offence_persons.csv", "missing_date_of_birth"): "person rows without a date of birth",
    ("offence_persons.csv", "home_not_located"): "person rows whose home is not located",
    ("schools.csv", "school_without_roll"): "open schools whose roll is estimated",
    ("catchments", "catchment_fallback"): "schools whose catchment fell back to their own LSOA",
    ("priority ranks", "top_rank_reaches_bottom_half"): (
        "top-ranked schools whose rank interval reaches the bottom half of the list"
    ),
}


class InputError(Exception):
    """A missing or unreadable input: reported as one line, never a traceback."""


def say(message: str) -> None:
    print(f"[transparency_record] {message}", file=sys.stderr, flush=True)


# --- The fields only the force can fill in -----------------------------------------------


class ForceFields:
    """Collects every field left for the force, so the checklist lists exactly those."""

    def __init__(self) -> None:
        self.fields: list[str] = []

    def __call__(self, field: str) -> str:
        if field not in self.fields:
            self.fields.append(field)
        return f"**[TO BE COMPLETED BY THE FORCE: {field}]**"


# --- Reading the inputs ------------------------------------------------------------------


def read_vars(project_file: Path) -> dict:
    if not project_file.exists():
        raise InputError(f"no dbt project file at {project_file}")
    with open(project_file, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["vars"]


def read_manifest(path: Path) -> dict:
    if not path.exists():
        raise InputError(
            f"no dbt manifest at {path}: run `make build` first (or `dbt docs generate`), "
            "or give its path with --manifest"
        )
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(
            f"cannot read the dbt manifest {path} ({error}): run `make build` again"
        ) from None


def connect(db: Path) -> duckdb.DuckDBPyConnection:
    if not db.exists():
        raise InputError(f"no database at {db}: run `make build` first, or give its path with --db")
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as error:
        raise InputError(f"cannot open the database {db} read-only ({error})") from None
    load_spatial(con)
    return con


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    result = con.execute(sql)
    names = [column[0] for column in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def read_database(con: duckdb.DuckDBPyConnection) -> dict:
    """What the record says about this build. Only aggregates leave this function: shares of
    fct_data_quality, flags of fct_bias_checks, counts of schools and dates."""
    try:
        status = rows(con, "select * from marts.build_status")
        measures = rows(con, "select * from marts.dim_priority_measures order by measure_order")
        quality = rows(
            con,
            "select source, check_name, share, threshold, threshold_kind, meets_threshold,"
            " detail from marts.fct_data_quality where breakdown is null",
        )
        bias = rows(
            con,
            "select check_name, count(*) as groups,"
            " bool_or(is_proactive_flag_available) as proactive,"
            " bool_or(is_suspect_data_available) as suspects,"
            " bool_or(is_census_ethnicity_available) as census,"
            " max(top_schools_kept_share) as top_kept_share,"
            " max(rank_correlation_without_proactive) as rank_correlation"
            " from marts.fct_bias_checks group by check_name order by check_name",
        )
        schools = con.execute("select count(*) from marts.fct_school_exposure").fetchone()[0]
        window = con.execute(
            "select min(window_start_date), max(window_end_date) from marts.fct_area_violence"
        ).fetchone()
        levels = [
            r[0]
            for r in con.execute(
                "select distinct area_level from marts.fct_area_violence order by 1"
            ).fetchall()
        ]
    except duckdb.Error as error:
        raise InputError(
            f"the database has no complete set of marts ({error}): run `make build` first"
        ) from None
    return {
        "status": status[0] if status else None,
        "measures": measures,
        "quality": {(q["source"], q["check_name"]): q for q in quality},
        "bias": bias,
        "schools": schools,
        "window": window,
        "levels": levels,
    }


def school_identifiers(con: duckdb.DuckDBPyConnection) -> tuple[set[str], set[str]]:
    """Every school's URN and name, read only to check that none reaches the record."""
    found = con.execute("select cast(urn as varchar), school_name from marts.fct_school_exposure")
    urns, names = set(), set()
    for urn, name in found.fetchall():
        if urn:
            urns.add(urn.strip())
        if name:
            names.add(name.strip().lower())
    return urns, names


def read_validation(paths: list[Path]) -> list[tuple[Path, str]]:
    """Validation result files as given (text printed by the evaluation scripts, or JSON)."""
    results = []
    for path in paths:
        if not path.exists():
            raise InputError(f"no validation result file at {path}")
        results.append((path, path.read_text(encoding="utf-8").strip()))
    return results


# --- What the manifest says --------------------------------------------------------------


def project_nodes(manifest: dict, resource_type: str) -> list[dict]:
    package = manifest["metadata"].get("project_name", "school_exposure")
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == resource_type and node.get("package_name") == package
    ]


def marts(manifest: dict) -> list[dict]:
    return sorted(
        (node for node in project_nodes(manifest, "model") if node["fqn"][1] == "marts"),
        key=lambda node: node["name"],
    )


def audience(node: dict) -> str:
    meta = node.get("config", {}).get("meta") or node.get("meta") or {}
    return meta.get("audience", "not declared")


def test_kind(node: dict) -> str:
    return (node.get("test_metadata") or {}).get("name") or "singular"


def tested_model(node: dict) -> str:
    attached = node.get("attached_node") or ""
    return attached.rsplit(".", 1)[-1] if attached else "several models"


def first_sentence(text: str, limit: int = 300) -> str:
    """A description's first sentence, for a table cell (the docs hold the rest)."""
    text = " ".join((text or "").split())
    match = re.match(r"(.+?\.)(\s|$)", text)
    text = match.group(1) if match else text
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + " ..."


def source_columns(manifest: dict, source_id: str) -> list[str]:
    """A source's columns: as documented on the source, else those of the staging model
    made from it (source -> base_ model -> stg_ model; the files are read as text, so the
    sources document no columns of their own)."""
    source = manifest["sources"][source_id]
    if source.get("columns"):
        return list(source["columns"])
    children = manifest.get("child_map", {})
    for base in children.get(source_id, []):
        if not manifest["nodes"].get(base, {}).get("name", "").startswith("base_"):
            continue  # the accounting models read the sources too, for row counts only
        staged = "stg_" + manifest["nodes"][base]["name"].removeprefix("base_")
        for child in children.get(base, []):
            node = manifest["nodes"].get(child, {})
            if node.get("name") == staged and node.get("columns"):
                return list(node["columns"])
    return []


def test_vars(manifest: dict, node: dict, variables: dict) -> list[str]:
    """The vars a test depends on: named in its SQL, in its generic test's macro, or in its
    description ("var quality_min_geocoding_hit_rate")."""
    texts = [node.get("raw_code", ""), node.get("description", "")]
    for macro in node.get("depends_on", {}).get("macros", []):
        texts.append(manifest.get("macros", {}).get(macro, {}).get("macro_sql", ""))
    names = set()
    for text in texts:
        names.update(re.findall(r"var\(\s*['\"](\w+)['\"]", text))
        names.update(re.findall(r"\bvars? `?(\w+)`?", text))
    return sorted(name for name in names if name in variables)


def warning_thresholds(manifest: dict, node: dict, variables: dict, quality: dict) -> str:
    """A warning test's threshold: its numeric arguments, the vars it reads, and for a
    data-quality check the threshold fct_data_quality applied."""
    parts = []
    kwargs = (node.get("test_metadata") or {}).get("kwargs", {})
    for name, value in kwargs.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(f"{name} = {value}")
    for name in test_vars(manifest, node, variables):
        parts.append(f"var `{name}` = {variables[name]}")
    check = kwargs.get("check_name")
    if check and not parts:
        thresholds = {q["threshold"] for (_, c), q in quality.items() if c == check}
        thresholds.discard(None)
        parts.extend(f"threshold {value}" for value in sorted(thresholds))
    return "; ".join(parts) or "a fixed condition (no threshold)"


# --- Formatting --------------------------------------------------------------------------


def share(value) -> str:
    return "not available" if value is None else f"{100 * value:.1f}%"


def table(header: list[str], body: list[list]) -> list[str]:
    def cell(value) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in body]
    return lines + [""]


def yaml_value(value) -> str:
    """A var as YAML would read it back (null, true, flow lists and maps)."""
    return value if isinstance(value, str) else json.dumps(value)


# --- The sections ------------------------------------------------------------------------


def tier1(ctx: dict, force: ForceFields) -> list[str]:
    v, db = ctx["vars"], ctx["db"]
    available = [m["measure"] for m in db["measures"] if m["is_available"]]
    return [
        "## Tier 1: Summary information",
        "",
        f"**Name:** {TOOL_NAME}",
        "",
        "**Description:** An analysis pipeline that estimates which schools educate the most "
        "children who live in areas with higher than average recorded violence, so that the "
        "Violence Reduction Unit (VRU) can consider where to offer violence-prevention work. "
        "It combines the force's recorded offences with public school, boundary and "
        "population data. Its results are advisory: a prompt for a conversation with a "
        "school, never a decision about a school or a person.",
        "",
        "**Website URL:** "
        + force(
            "public web page for this tool (for example the force or VRU page, or the repository)"
        ),
        "",
        "**Contact email:** " + force("contact email (a team address)"),
        "",
        "### Why it is used",
        "",
        "Violence happens where children live and travel, not only near schools. The VRU "
        "funds prevention work in schools and needs a consistent, explainable way to see "
        "which schools' pupils come from the areas with most violence, and which such "
        "schools are not yet on its list (the top "
        f"{v['priority_top_n']} schools by priority score that are not on the list).",
        "",
        "### How it works",
        "",
        "Offences are counted by small area (LSOA) over the analysis window and turned into "
        "rates per 1,000 residents a year, smoothed towards the force-wide rate. For each "
        "school, an estimate of where its pupils live (its catchment, method "
        f"`{v['catchment_method']}` where the school census does not say) weights those area "
        "rates. A priority score combines "
        f"{len(available)} measure(s) ({', '.join(f'`{m}`' for m in available) or 'none'}) "
        "with weights set by the VRU. Every published count is suppressed below "
        f"{v['disclosure_min_count']} and rounded to {v['disclosure_rounding']}; every rate "
        f"and rank carries a {int(100 * v['interval_level'])}% interval. No published table "
        "holds a row about a person or a single offence.",
        "",
    ]


def tier2_owner(ctx: dict, force: ForceFields) -> list[str]:
    return [
        "## Tier 2: 1. Owner and responsibility",
        "",
        "- **Organisation or department:** "
        + force("organisation or department (the force, with the VRU)"),
        "- **Team:** " + force("team responsible for the tool"),
        "- **Senior responsible owner:** " + force("senior responsible owner (name and role)"),
        "- **Third party involvement:** the software is open source; the force runs it on its "
        "own systems. "
        + force("third parties involved (name, Companies House number, role), or none"),
        "- **Procurement procedure type:** " + force("procurement procedure type, or not procured"),
        "- **Third party data access terms:** "
        + force("terms of any third party access to the data, or none"),
        "",
    ]


def tier2_description(ctx: dict, force: ForceFields) -> list[str]:
    manifest = ctx["manifest"]
    lines = [
        "## Tier 2: 2. Description and rationale",
        "",
        "### Detailed description and scope",
        "",
        "The tool is a dbt project on DuckDB. It publishes these tables (schema `marts`); "
        "each declares its audience in `meta.audience`, which the project's governance "
        "check enforces (`public`: may be published, names no school; `vru`: named schools, "
        "for the VRU under its information-sharing agreement; `analyst`: the data owner's "
        "working tables):",
        "",
    ]
    lines += table(
        ["published table", "audience", "what it holds"],
        [
            [f"`{n['name']}`", audience(n), first_sentence(n["description"])]
            for n in marts(manifest)
        ],
    )
    lines += [
        "It is not designed to identify children or offenders, to label or rank schools "
        "publicly (a league table), or to map crimes as points: no published table holds a "
        "person or a single offence, and the public tables name no school.",
        "",
        "### Benefits",
        "",
        "A consistent, documented and repeatable way to target prevention work, with its "
        "uncertainty shown, built on the force's own data without copying it elsewhere.",
        force("benefits the force expects (and how it will measure them)"),
        "",
        "### Previous process",
        "",
        force("how schools were chosen for VRU work before this tool"),
        "",
        "### Alternatives considered",
        "",
        force("alternatives considered (including non-algorithmic ones)"),
        "",
    ]
    return lines


def tier2_deployment(ctx: dict, force: ForceFields) -> list[str]:
    manifest = ctx["manifest"]
    exposures = sorted(manifest.get("exposures", {}).values(), key=lambda e: e["name"])
    lines = [
        "## Tier 2: 3. Deployment context",
        "",
        "### Integration into broader operational process",
        "",
        "The published tables feed these uses, declared as dbt exposures:",
        "",
    ]
    lines += [
        f"- `{e['name']}` ({e.get('type')}): {first_sentence(e.get('description'))}"
        for e in exposures
    ]
    lines += [
        "",
        "A school's rank is a prompt for a conversation with that school and partners, read "
        "with local knowledge; it starts no action on its own.",
        "",
        "### Human review",
        "",
        "Every output is reviewed by people before anything is done: VRU staff decide which "
        "schools to approach; an ethics committee reviews the method (docs/ethics-and-method.md). "
        "`make run` replaces the published database only when the whole build has passed, "
        "and marts.build_status says whether a file holds a finished build.",
        force("who reviews the outputs, how often, and who decides on action"),
        "",
        "### Required training",
        "",
        "Readers are told, in the generated documentation, to read a rank's interval rather "
        "than the rank, and to check the data quality table first.",
        force("training given to staff who use the outputs"),
        "",
        "### Appeals and review",
        "",
        "Every definition is a documented setting and every figure can be traced to its "
        "inputs in the generated dbt docs, so a school or partner can ask how a figure was "
        "made and have it re-run with other settings.",
        force("how a school, partner or the public can challenge an output, and who to contact"),
        "",
    ]
    return lines


def tier2_tool(ctx: dict, force: ForceFields) -> list[str]:
    manifest, db = ctx["manifest"], ctx["db"]
    models = project_nodes(manifest, "model")
    layers = Counter(node["fqn"][1] for node in models)
    tests = project_nodes(manifest, "test")
    kinds = Counter(test_kind(node) for node in tests)
    status = db["status"] or {}
    lines = [
        "## Tier 2: 4. Tool specification",
        "",
        "### System architecture",
        "",
        f"dbt {manifest['metadata'].get('dbt_version', '')} on DuckDB with the spatial "
        "extension, run on the force's own systems. Raw extract files are read in place "
        "(staging), person references are pseudonymised with a keyed hash at ingest, "
        "intermediate models locate, age and classify, and the published marts are "
        "contract-enforced and disclosure-controlled.",
        "",
    ]
    lines += table(["layer", "models"], [[layer, count] for layer, count in sorted(layers.items())])
    lines += [
        f"Data tests: {len(tests)} in all; unit tests: {len(manifest.get('unit_tests', {}))}. "
        "Tests by type:",
        "",
    ]
    lines += table(["test", "count"], [[kind, n] for kind, n in kinds.most_common()])
    lines += [
        "### System-level input",
        "",
        "The files of the extract contract (listed under 7. Operational data) and the dbt "
        "vars in dbt_project.yml.",
        "",
        "### System-level output",
        "",
        "The published tables in the `marts` schema of the force's DuckDB file (listed under "
        "2.), and the generated dbt documentation.",
        "",
        "### Phase",
        "",
        force("phase (idea, design, development, private or public beta, production, retired)")
        + " "
        + force("go-live date"),
        "",
        "### Maintenance",
        "",
        "Every build runs every data test; the build records its outcome in "
        "`marts.build_status`. This record was generated from the build below.",
        "",
    ]
    lines += table(
        ["build", "value"],
        [
            ["status", status.get("status", "not recorded")],
            ["command", status.get("command", "")],
            ["selection", status.get("selection", "")],
            ["started", to_the_second(status.get("started_at", ""))],
            ["finished", to_the_second(status.get("finished_at", ""))],
            ["nodes run", status.get("nodes_run", "")],
            ["nodes failed", status.get("nodes_failed", "")],
            ["tests warned", status.get("tests_warned", "")],
        ],
    )
    lines += [
        force(
            "maintenance and review schedule (who re-runs it, how often, who reviews this record)"
        ),
        "",
    ]
    return lines


def vars_table(v: dict) -> list[str]:
    """The definitions as dbt_project.yml sets them: every var, since each is a choice a
    reviewer may question."""
    return table(
        ["var", "value"],
        [[f"`{name}`", yaml_value(value)] for name, value in v.items()],
    )


def tier2_model(ctx: dict, force: ForceFields) -> list[str]:
    v, db = ctx["vars"], ctx["db"]
    lines = [
        "## Tier 2: 5. Model specification",
        "",
        "### Models",
        "",
        "- **Area violence rates:** violent offences (categories in var "
        "`violence_categories`) per 1,000 residents a year, empirical-Bayes (Poisson-Gamma) "
        "smoothed towards the force-wide rate, with exact and smoothed intervals; a "
        f"high-violence area has a smoothed rate above {v['high_violence_ratio']} times the "
        f"force-wide rate. Levels published: {', '.join(db['levels'])}.",
        f"- **Catchments:** observed school census where given (var `use_observed_catchments` "
        f"= {v['use_observed_catchments']}), else method `{v['catchment_method']}` (a doubly "
        "constrained gravity model calibrated to public travel-to-school figures, or the "
        "nearest school as a baseline). Special schools and pupil referral units draw from "
        "their whole local authority; independent (fee-paying) schools from further away "
        "and more from less deprived areas, an assumption with no public figure behind it "
        f"(var `independent_school_affluence_ratio` = {v['independent_school_affluence_ratio']}"
        "; 1 removes it).",
        "- **Priority score:** the weighted mean of each measure's percentile rank among the "
        "schools, times 100; ranks come with intervals from "
        f"{v['priority_rank_replicates']} simulated rankings.",
        "",
        "### Model input and output",
        "",
        "Inputs: offences and persons (pseudonymised), schools, LSOA boundaries, lookup and "
        "population, and the optional files under 7. Outputs: the published tables under 2.",
        "",
        "Measures of the priority score in this build (marts.dim_priority_measures):",
        "",
    ]
    lines += table(
        ["measure", "weight set", "available", "weight used", "reason if unavailable"],
        [
            [
                f"`{m['measure']}`",
                m["priority_weight"],
                "yes" if m["is_available"] else "no",
                round(m["priority_weight_used"], 4),
                m["unavailable_reason"] or "",
            ]
            for m in db["measures"]
        ],
    )
    unavailable = [m["measure"] for m in db["measures"] if not m["is_available"]]
    lines += [
        "Measures unavailable in this build: "
        + (", ".join(f"`{m}`" for m in unavailable) if unavailable else "none")
        + ". An unavailable measure is null with its reason, never zero, and leaves the "
        "score (the other weights are renormalised).",
        "",
        "### Definitions (dbt_project.yml vars)",
        "",
    ]
    lines += vars_table(v)
    lines += ["### Model performance and validation", ""]
    lines += validation_lines(ctx)
    return lines


def validation_lines(ctx: dict) -> list[str]:
    results = ctx["validation"]
    if results:
        lines = ["Validation results given to this run:", ""]
        for path, text in results:
            lines += [f"From `{path.name}`:", "", "```", text, "```", ""]
        return lines
    lines = [
        "**Not measured in this run.** A real extract has no ground truth, so performance is "
        "measured on synthetic worlds with a known truth, by these scripts (pass their output "
        "with --validation to include it here):",
        "",
    ]
    lines += table(
        ["script", "measures", "figure"],
        [[f"`{s}`", what, "not measured in this run"] for s, what in VALIDATION_SCRIPTS.items()],
    )
    return lines


def tier2_development_data(ctx: dict, force: ForceFields) -> list[str]:
    v = ctx["vars"]
    return [
        "## Tier 2: 6. Development data",
        "",
        "No model is trained on personal data. The method was developed and is tested on "
        "synthetic worlds made by `scripts/generate_synthetic_extract.py` (fictional areas, "
        "schools, offences and people, with a ground truth of where pupils live). The "
        "gravity catchment model is calibrated on each run to public figures (National "
        "Travel Survey mean distances "
        f"{yaml_value(v['mean_distance_km'])} km straight-line, DfE cross-border shares "
        f"{yaml_value(v['cross_authority_share'])}) or to the force's own school census "
        "where it covers at least "
        f"{v['calibration_min_observed_schools']} schools of a segment. The catchment "
        f"uncertainty factor (var `catchment_uncertainty_scale` = "
        f"{v['catchment_uncertainty_scale']}) was calibrated on the synthetic worlds "
        "(scripts/evaluate_worlds.py).",
        "",
    ]


def tier2_operational_data(ctx: dict, force: ForceFields) -> list[str]:
    manifest, db, v = ctx["manifest"], ctx["db"], ctx["vars"]
    sources = sorted(manifest["sources"].items(), key=lambda item: item[0])
    start, end = db["window"]
    lines = [
        "## Tier 2: 7. Operational data",
        "",
        "### Data sources",
        "",
    ]
    lines += table(
        ["source", "file", "description", "columns"],
        [
            [
                s["source_name"],
                s["name"],
                first_sentence(s["source_description"]) + " " + first_sentence(s["description"]),
                ", ".join(f"`{c}`" for c in source_columns(manifest, sid))
                or "see the extract contract",
            ]
            for sid, s in sources
        ],
    )
    lines += [
        "### Data in this build",
        "",
        f"- Analysis window: {start} to {end} (var `analysis_start` = "
        f"{yaml_value(v['analysis_start'])}, `analysis_end` = {yaml_value(v['analysis_end'])}: "
        f"null means the months the data covers, at most {v['analysis_months']}).",
        f"- Schools ranked (fct_school_exposure): {db['schools']}.",
        "",
        "Data quality headlines (marts.fct_data_quality; shares only):",
        "",
    ]
    body = []
    for key, label in QUALITY_HEADLINES.items():
        q = db["quality"].get(key)
        if q is None:
            continue
        limit = (
            f"{q['threshold_kind']} {share(q['threshold'])}" if q["threshold"] is not None else ""
        )
        met = "" if q["meets_threshold"] is None else ("yes" if q["meets_threshold"] else "no")
        body.append([label, share(q["share"]), limit, met])
    lines += table(["check", "share", "threshold", "met"], body)
    lines += [
        "### Sensitive attributes",
        "",
        "Person references are pseudonymised with a keyed hash at ingest (the key stays with "
        "the force); dates of birth become an age at offence and are dropped; sex and ethnic "
        "group are used only in the aggregated bias checks.",
        "",
        "### Data sharing and access",
        "",
        "- Information-sharing agreement between the force and the VRU: "
        + force("information-sharing agreement (reference and parties)"),
        "- Lawful basis: "
        + force(
            "lawful basis for processing (and the Crime and Disorder Act 1998 duties relied on)"
        ),
        "- Who has access, where the data is stored and for how long: "
        + force("data access, storage location and retention period"),
        f"- Person-level tables are dropped after the build when var `drop_person_level_tables` "
        f"is true (this project's default: {v['drop_person_level_tables']}).",
        "",
    ]
    return lines


def tier2_risks(ctx: dict, force: ForceFields) -> list[str]:
    manifest, db, v = ctx["manifest"], ctx["db"], ctx["vars"]
    tests = project_nodes(manifest, "test")
    # Only the published marts: the manifest also holds the tests of the deliberately bad
    # fixture tables (models/fixtures), which a normal build never makes.
    published = {node["name"] for node in marts(manifest)}
    disclosure: dict[str, set[str]] = {}
    for t in tests:
        if test_kind(t).startswith("disclosure_") and tested_model(t) in published:
            disclosure.setdefault(tested_model(t), set()).add(test_kind(t))
    warnings = sorted(
        (t for t in tests if str(t.get("config", {}).get("severity", "")).lower() == "warn"),
        key=lambda t: t["name"],
    )
    lines = [
        "## Tier 2: 8. Risks, mitigations and impact assessments",
        "",
        "### Impact assessments",
        "",
        "- Data protection impact assessment (DPIA): " + force("DPIA reference and date completed"),
        "- Equality impact assessment: " + force("equality impact assessment reference and date"),
        "- Ethics committee review: "
        + force("ethics committee review: committee, date and outcome"),
        "",
        "### Risks and mitigations",
        "",
        f"- **Identifying a child or offender.** Counts below var `disclosure_min_count` "
        f"({v['disclosure_min_count']}) are suppressed, zero excepted, others rounded to var "
        f"`disclosure_rounding` ({v['disclosure_rounding']}), with secondary suppression; "
        "these disclosure tests fail the build when a published count breaks the rules:",
        "",
    ]
    lines += table(
        ["published table", "disclosure tests"],
        [
            [f"`{model}`", ", ".join(f"`{kind}`" for kind in sorted(kinds))]
            for model, kinds in sorted(disclosure.items())
        ],
    )
    lines += [
        f"- **Stigmatising a school.** Ranks carry {int(100 * v['interval_level'])}% "
        "intervals; the public tables name no school; a rank is a prompt for a conversation.",
        "- **Biased recorded crime.** Recorded crime reflects reporting and policing as well "
        "as violence. The bias checks in marts.fct_bias_checks ran on this build as follows:",
        "",
    ]
    lines += table(
        ["bias check", "groups", "proactive flag", "suspect data", "census ethnicity"],
        [
            [
                f"`{b['check_name']}`",
                b["groups"],
                "available" if b["proactive"] else "not available",
                "available" if b["suspects"] else "not available",
                "available" if b["census"] else "not available",
            ]
            for b in db["bias"]
        ],
    )
    top = [b for b in db["bias"] if b["top_kept_share"] is not None]
    if top:
        lines += [
            f"Without proactive offences, {share(top[0]['top_kept_share'])} of the top "
            f"{v['priority_top_n']} schools stay in the top (rank correlation "
            f"{top[0]['rank_correlation']:.3f}).",
            "",
        ]
    lines += [
        "- **Poor or partial data.** These warning tests flag a data problem without "
        "stopping the build, each against its threshold:",
        "",
    ]
    lines += table(
        ["warning test", "on", "threshold"],
        [
            [
                f"`{t['name']}`",
                f"`{tested_model(t)}`",
                warning_thresholds(manifest, t, v, db["quality"]),
            ]
            for t in warnings
        ],
    )
    lines += [
        "- **Modelled catchments.** Where pupils live is estimated, not known; the "
        "catchment's uncertainty is part of every interval (var "
        f"`catchment_uncertainty_scale` = {v['catchment_uncertainty_scale']}).",
        "- " + force("other risks the force has identified, and their mitigations"),
        "",
    ]
    return lines


def checklist(force: ForceFields) -> list[str]:
    lines = ["## Checklist: fields the force must complete", ""]
    lines += [f"- [ ] {field}" for field in force.fields]
    return lines + [""]


def render(ctx: dict) -> tuple[str, list[str]]:
    force = ForceFields()
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Algorithmic transparency record: {TOOL_NAME}",
        "",
        f"Following the {STANDARD}. Generated on {generated} by "
        "`scripts/transparency_record.py` from the dbt manifest, dbt_project.yml and the "
        f"built database; see {REPOSITORY_NOTE}. Fields marked TO BE COMPLETED BY THE FORCE "
        "are the force's to fill in before publication; the checklist at the end lists them.",
        "",
        "- **Organisation name:** " + force("organisation or department (the force, with the VRU)"),
        "- **Region:** " + force("region (the force area)"),
        "",
    ]
    for section in (
        tier1,
        tier2_owner,
        tier2_description,
        tier2_deployment,
        tier2_tool,
        tier2_model,
        tier2_development_data,
        tier2_operational_data,
        tier2_risks,
    ):
        lines += section(ctx, force)
    lines += checklist(force)
    return "\n".join(lines), force.fields


def to_the_second(value):
    """A timestamp without its microseconds: they say nothing to a reader, and six digits of
    them can equal a school's URN, which made the identifier check refuse the record (seen:
    a build started at .939701 s in a world with URN 939701)."""
    return value.replace(microsecond=0) if isinstance(value, datetime) else value


def leaked_identifiers(text: str, urns: set[str], names: set[str]) -> list[str]:
    """School URNs or names in the text (names compared case-insensitively)."""
    found = [f"URN {u}" for u in urns if re.search(rf"(?<!\d){re.escape(u)}(?!\d)", text)]
    lowered = text.lower()
    found += [f"school name {n!r}" for n in names if n and n in lowered]
    return found


# --- Command line ------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=Path(os.environ.get("SCHOOL_EXPOSURE_DB", "data/school_exposure.duckdb")),
        help="the built database, opened read-only (default: $SCHOOL_EXPOSURE_DB or %(default)s)",
    )
    parser.add_argument(
        "--manifest",
        type=Path,
        default=Path("target/manifest.json"),
        help="dbt's manifest.json, from `make build` or `dbt docs generate` (default: %(default)s)",
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=PROJECT_DIR / "dbt_project.yml",
        help="dbt_project.yml, whose vars are the definitions (default: the project's)",
    )
    parser.add_argument(
        "--validation",
        type=Path,
        action="append",
        default=[],
        help="a validation result file (the saved output of scripts/evaluate_worlds.py or "
        "another evaluation script) to quote in the record; may be repeated",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("outputs/transparency-record.md"),
        help="where to write the markdown record (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        say(f"reading {args.manifest} and {args.project}")
        manifest = read_manifest(args.manifest)
        variables = read_vars(args.project)
        say(f"reading {args.db} (read-only)")
        con = connect(args.db)
        try:
            db = read_database(con)
            urns, names = school_identifiers(con)
        finally:
            con.close()
        validation = read_validation(args.validation)
    except InputError as error:
        print(f"transparency_record.py: error: {error}", file=sys.stderr)
        return 2
    ctx = {"manifest": manifest, "vars": variables, "db": db, "validation": validation}
    text, fields = render(ctx)
    leaks = leaked_identifiers(text, urns, names)
    if leaks:
        # The record is public: better no record than one that names a school.
        print(
            "transparency_record.py: error: the record would name a school "
            f"({len(leaks)} identifier(s)); nothing written",
            file=sys.stderr,
        )
        return 3
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    say(
        f"wrote {args.out}: {len(fields)} field(s) for the force to complete (checklist at the end)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
