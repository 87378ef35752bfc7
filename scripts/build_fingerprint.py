"""What the catchments of a build were made from, so that a refresh can tell whether the
published build's catchments still hold (run_build.py --refresh; README, "Refresh").

A library, not a command. The reusable models are those of models/intermediate/catchment
(REUSABLE_FOLDER) and the models they are built from; everything they are built from is
found in the dbt graph (manifest.json): the models, seeds and sources upstream of them.
Their fingerprint is a sha256 of

- each raw file a source upstream reads (every file in the raw folder named after the source,
  whatever its extension: lsoa_boundaries.geojson, .gpkg or .parquet), or `absent`;
- each seed's file;
- each model's code: its SQL or Python, its configuration as dbt resolved it, the values of
  the vars and environment variables its code and the macros it calls read (the raw folder's
  path excepted: the files' bytes stand for it), and the project's modules a Python model
  imports;
- the project's macros, all of them (a macro can be reached by dispatch, which the graph
  does not show), and the versions of Python and of every installed package.

The fingerprint is stored in the built database (table refresh.fingerprints) with the dbt
invocation that built it, and a refresh reuses the catchments only when every item is the
same. Only digests are stored and printed, never a value of a file or a var.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import sys
from importlib import metadata
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SCRIPTS = PROJECT / "scripts"
REUSABLE_FOLDER = "models/intermediate/catchment/"
SCHEMA, TABLE = "refresh", "fingerprints"
RAW_DIR_ENV = "SCHOOL_EXPOSURE_RAW_DIR"

VAR_CALL = re.compile(r"\bvar\(\s*(['\"])([^'\"]+)\1")
VAR_CALL_NOT_LITERAL = re.compile(r"\bvar\(\s*(?!['\"])")
ENV_CALL = re.compile(r"\benv_var\(\s*(['\"])([^'\"]+)\1")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_json(value) -> str:
    return sha256_bytes(json.dumps(value, sort_keys=True, default=str).encode())


def catchment_models(manifest: dict) -> list[dict]:
    """The model nodes of the catchment folder, by unique id."""
    return [
        node
        for _, node in sorted(manifest["nodes"].items())
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith(REUSABLE_FOLDER)
    ]


def reusable_models(manifest: dict) -> list[dict]:
    """The catchment models and every model they are built from (the staging of the schools,
    boundaries, lookup, population and pupil residence), by unique id: the fingerprint covers
    all of their inputs, so when it is unchanged each of them would be built the same."""
    needed = upstream(manifest, [node["unique_id"] for node in catchment_models(manifest)])
    return [
        node
        for unique_id, node in sorted(manifest["nodes"].items())
        if node["resource_type"] == "model" and unique_id in needed
    ]


def upstream(manifest: dict, roots: list[str]) -> set[str]:
    """The unique ids of the roots and every node and source they are built from."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        unique_id = stack.pop()
        if unique_id in seen:
            continue
        seen.add(unique_id)
        node = manifest["nodes"].get(unique_id)
        if node is not None:
            stack.extend(node.get("depends_on", {}).get("nodes", []))
    return seen


def macro_closure(manifest: dict, macro_ids: list[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(macro_ids)
    while stack:
        macro_id = stack.pop()
        if macro_id in seen or macro_id not in manifest["macros"]:
            continue
        seen.add(macro_id)
        stack.extend(manifest["macros"][macro_id].get("depends_on", {}).get("macros", []))
    return seen


def project_modules(code: str, found: dict[str, str] | None = None) -> dict[str, str]:
    """The project's modules (in scripts/, on the Python models' path) that `code` imports,
    directly or through another project module: name -> sha256 of the file."""
    found = {} if found is None else found
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {**found, "<unparsable python>": sha256_bytes(code.encode())}
    for statement in ast.walk(tree):
        if isinstance(statement, ast.Import):
            names = [alias.name for alias in statement.names]
        elif isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            names = [statement.module]
        else:
            continue
        for name in names:
            path = SCRIPTS / (name.split(".")[0] + ".py")
            if path.exists() and path.name not in found:
                found[path.name] = sha256_file(path)
                project_modules(path.read_text(encoding="utf-8"), found)
    return found


def raw_files(raw_dir: Path, identifier: str) -> dict[str, str]:
    """Every file of the raw folder named `identifier` whatever its extension: name -> sha256,
    or {identifier: 'absent'}."""
    files = {}
    if raw_dir.is_dir():
        for path in sorted(raw_dir.iterdir()):
            if path.is_file() and path.name.split(".")[0] == identifier:
                files[path.name] = sha256_file(path)
    return files or {identifier: "absent"}


def installed_packages() -> str:
    versions = sorted(
        f"{dist.metadata['Name']}=={dist.version}" for dist in metadata.distributions()
    )
    return sha256_json([sys.version, *versions])


def fingerprint(manifest: dict, raw_dir: Path, variables: dict) -> dict[str, str]:
    """item -> sha256 for everything the reusable models are built from. `variables` are the
    vars as the build resolves them (dbt_project.yml's, then --vars)."""
    models = catchment_models(manifest)
    needed = upstream(manifest, [node["unique_id"] for node in models])
    items: dict[str, str] = {}
    for unique_id in sorted(needed):
        if unique_id.startswith("source."):
            source = manifest["sources"][unique_id]
            for name, digest in raw_files(raw_dir, source["identifier"]).items():
                items[f"file {name}"] = digest
            continue
        node = manifest["nodes"][unique_id]
        if node["resource_type"] == "seed":
            items[f"seed {node['name']}"] = sha256_file(PROJECT / node["original_file_path"])
            items[f"seed config {node['name']}"] = sha256_json(node["config"])
        elif node["resource_type"] == "model":
            items[f"code {node['name']}"] = model_code(manifest, node, variables)
    items["code project macros"] = sha256_json(
        {
            macro_id: macro["macro_sql"]
            for macro_id, macro in manifest["macros"].items()
            if macro["package_name"] == manifest["metadata"]["project_name"]
        }
    )
    items["packages and python"] = installed_packages()
    return items


def model_code(manifest: dict, node: dict, variables: dict) -> str:
    """sha256 of a model's code, its resolved configuration, the vars and environment
    variables it reads (through the macros it calls too) and the modules it imports."""
    # dbt's own macros are the packages' (below); compiling adds some of them to a node's
    # dependencies (py_script_postfix), so only the project's are listed
    project = manifest["metadata"]["project_name"]
    macros = {
        macro_id
        for macro_id in macro_closure(manifest, node.get("depends_on", {}).get("macros", []))
        if manifest["macros"][macro_id]["package_name"] == project
    }
    texts = [node["raw_code"], *(manifest["macros"][m]["macro_sql"] for m in sorted(macros))]
    joined = "\n".join(texts)
    if VAR_CALL_NOT_LITERAL.search(joined):
        # a var read by a name computed at run time: every var may matter
        read_vars = sorted(variables)
    else:
        read_vars = sorted({match.group(2) for match in VAR_CALL.finditer(joined)})
    read_env = sorted({match.group(2) for match in ENV_CALL.finditer(joined)})
    return sha256_json(
        {
            "code": node["raw_code"],
            "language": node.get("language"),
            "config": node["config"],
            "macros": sorted(macros),
            "vars": {name: variables.get(name) for name in read_vars if name != "raw_dir"},
            "env": {name: os.environ.get(name) for name in read_env if name != RAW_DIR_ENV},
            "modules": project_modules(node["raw_code"])
            if node.get("language") == "python"
            else {},
        }
    )


def differences(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    """The items that differ, are new or are gone, by name (never a value)."""
    names = sorted(set(previous) | set(current))
    return [name for name in names if previous.get(name) != current.get(name)]
