"""Person data after a build: pseudonymised at ingest, the key and raw references nowhere."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys

import duckdb
import pytest

from conftest import PROJECT_DIR, SCRIPTS_DIR, Build, dbt_env, project_vars, run_dbt
from pseudonymisation import (
    WHITESPACE,
    MissingKeyError,
    hmac_key_pads,
    load_key,
    make_pseudonymiser,
)


def varchar_columns(con):
    return con.execute(
        """
        select schema_name, table_name, column_name
        from duckdb_columns()
        where data_type = 'VARCHAR' and not internal and database_name != 'temp'
        """
    ).fetchall()


def test_no_raw_person_reference_is_stored_anywhere(built: Build):
    con = built.connect()
    con.execute(
        f"""
        create temp table raw_refs as
        select distinct person_ref
        from read_csv('{built.world.raw_dir}/offence_persons.csv', all_varchar = true)
        where person_ref is not null
        """
    )
    assert con.execute("select count(*) from raw_refs").fetchone()[0] > 100
    for schema, table, column in varchar_columns(con):
        leaked = con.execute(
            f'select count(*) from {schema}."{table}"'
            f' where "{column}" in (select person_ref from raw_refs)'
        ).fetchone()[0]
        assert leaked == 0, f"raw person references in {schema}.{table}.{column}"


def test_no_date_of_birth_column_is_stored(built: Build):
    con = built.connect()
    columns = con.execute(
        "select table_name, column_name from information_schema.columns"
        " where column_name ilike '%birth%' or column_name ilike '%dob%'"
        " or column_name ilike 'born%'"
    ).fetchall()
    assert columns == []


def test_person_ids_are_the_keyed_hash_of_the_raw_reference(built: Build):
    con = built.connect()
    pseudonymise = make_pseudonymiser(built.key.encode())
    first_ref = con.execute(
        f"""
        select person_ref
        from read_csv('{built.world.raw_dir}/offence_persons.csv', all_varchar = true)
        where person_ref is not null and role = 'SUSPECT'
        limit 1
        """
    ).fetchone()[0]
    found = con.execute(
        "select count(*) from staging.stg_police__offence_persons where person_id = ?",
        [pseudonymise(first_ref)],
    ).fetchone()[0]
    assert found >= 1


def test_the_key_is_in_no_file_the_build_wrote(built: Build):
    needle = built.key.encode()
    written = [built.db_path, *built.target_dir.rglob("*"), *built.log_dir.rglob("*")]
    files = [path for path in written if path.is_file()]
    assert any(path.suffix == ".sql" for path in files)
    for path in files:
        assert needle not in path.read_bytes(), f"the key is in {path}"


def test_building_person_data_without_a_key_stops_with_a_clear_message(built: Build, tmp_path):
    env = dbt_env(built.world.raw_dir, tmp_path / "nokey.duckdb", key=None)
    result = run_dbt(
        [
            "build",
            "--select",
            "+base_police__offence_persons",
            "--exclude-resource-type",
            "unit_test",
            "test",
        ],
        env,
        tmp_path / "target",
        tmp_path / "logs",
    )
    assert result.returncode != 0
    assert "No pseudonymisation key" in result.stdout + result.stderr


def test_pseudonyms_are_stable_per_key_and_differ_between_keys():
    first = make_pseudonymiser(b"k" * 32)
    second = make_pseudonymiser(b"j" * 32)
    assert first("P00000001") == first("P00000001")
    assert first("P00000001") != first("P00000002")
    assert first("P00000001") != second("P00000001")
    assert len(first("P00000001")) == 32
    assert first(None) is None


@pytest.mark.parametrize("key", [b"k" * 32, "clé-€-".encode() * 20], ids=["short", "long"])
def test_the_sql_pseudonym_is_the_python_hmac(key):
    """Macro pseudonymise (SQL, DuckDB's sha256) gives make_pseudonymiser's pseudonyms (the
    standard library's hmac), for a key within a block and one hashed first (over 64 bytes),
    and references with any of str.strip()'s whitespace at either end, inside, or none."""
    import jinja2

    source = (PROJECT_DIR / "macros" / "ingest" / "pseudonymise.sql").read_text(encoding="utf-8")
    expression = (
        jinja2.Environment()
        .from_string(source)
        .module.pseudonymise("reference", "pads.inner_pad", "pads.outer_pad")
    )
    pads = hmac_key_pads(key)
    references = ["P00000001", "", "  ", "Ünïcødé 名前", "a\tb", None]
    references += [f"{space}P{i}{space}" for i, space in enumerate(WHITESPACE)]
    references += [f"P{space}{i}" for i, space in enumerate(WHITESPACE)]
    con = duckdb.connect()
    con.create_function(
        "pseudonymisation_key_pad",
        lambda kind: pads[kind],
        ["VARCHAR"],
        "BLOB",
        side_effects=False,
    )
    con.execute("create table refs (i integer, reference varchar)")
    con.executemany("insert into refs values (?, ?)", list(enumerate(references)))
    con.execute(
        "create table pads as select pseudonymisation_key_pad('inner') as inner_pad,"
        " pseudonymisation_key_pad('outer') as outer_pad"
    )
    query = f"select {expression} from refs cross join pads order by i"
    got = [row[0] for row in con.execute(query).fetchall()]
    assert got == [make_pseudonymiser(key)(reference) for reference in references]


@pytest.mark.parametrize(
    "environ, message",
    [
        ({}, "No pseudonymisation key"),
        ({"SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY": "short"}, "shorter than 32"),
        ({"SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY_FILE": "/nonexistent/key"}, "does not exist"),
    ],
)
def test_missing_or_weak_keys_are_refused(environ, message):
    with pytest.raises(MissingKeyError, match=message):
        load_key(environ)


def test_key_file_is_read_when_no_key_is_given(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("a" * 64 + "\n")
    assert load_key({"SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY_FILE": str(key_file)}) == b"a" * 64


def test_demo_key_is_git_ignored():
    ignored = (PROJECT_DIR / ".gitignore").read_text().splitlines()
    assert ".secrets/" in ignored


# ---------------------------------------------------------------------------------------------
# Published tables, scanned after the build (DESIGN.md, "Disclosure control")


def raw_person_values(built: Build, column: str) -> set[str]:
    with open(built.world.raw_dir / "offence_persons.csv", newline="", encoding="utf-8") as f:
        return {row[column] for row in csv.DictReader(f) if row[column]}


def test_public_tables_show_no_small_unrounded_or_recoverable_count(built: Build):
    """Independent of the dbt tests: every count in every public table is zero, null with its
    flag set, or a multiple of the rounding base at or above the threshold; no group of
    disclosure.groups has exactly one suppressed cell among several."""
    settings = project_vars()
    minimum, base = settings["disclosure_min_count"], settings["disclosure_rounding"]
    con = built.connect()
    for node in built.public_models():
        table = f'{node["schema"]}."{node["alias"]}"'
        spec = node["config"]["meta"]["disclosure"]
        rows = con.execute(f"select count(*) from {table}").fetchone()[0]
        assert rows > 0 or node["config"]["meta"].get("empty_on_first_build"), table
        for count in spec["counts"]:
            # A count that is unavailable, or does not apply to a row (disclosure.availability,
            # a column or an expression), is null and not suppressed.
            available = spec.get("availability", {}).get(count, "true")
            for value, suppressed, is_available in con.execute(
                f"select {count}, {count}_suppressed, coalesce(({available}), true) from {table}"
            ).fetchall():
                if not is_available:
                    assert value is None and suppressed is False, (table, count, value)
                    continue
                assert suppressed == (value is None), (table, count, value, suppressed)
                if value is not None:
                    assert value == 0 or (value >= minimum and value % base == 0), (
                        table,
                        count,
                        value,
                    )
            for group_name, expression in spec["groups"].items():
                cells: dict[str, list[bool]] = {}
                for group, suppressed in con.execute(
                    f"select cast(({expression}) as varchar), {count}_suppressed"
                    f" from {table} where ({expression}) is not null"
                ).fetchall():
                    cells.setdefault(group, []).append(suppressed)
                lone = [g for g, flags in cells.items() if len(flags) > 1 and sum(flags) == 1]
                assert lone == [], (table, count, group_name, lone[:5])
        for column, counts in spec["derived"].items():
            flags = " or ".join(f"{count}_suppressed" for count in counts)
            leaked = con.execute(
                f"select count(*) from {table} where {column} is not null and ({flags})"
            ).fetchone()[0]
            assert leaked == 0, (table, column)


def test_public_tables_hold_no_person_reference_or_date_of_birth(built: Build):
    """No value of any public column is a pseudonym, a raw person reference or a raw date of
    birth, and no public column is named like one."""
    con = built.connect()
    pseudonyms = {
        row[0]
        for row in con.execute(
            "select distinct person_id from staging.stg_police__offence_persons"
        ).fetchall()
    }
    personal = (
        pseudonyms
        | raw_person_values(built, "person_ref")
        | raw_person_values(built, "date_of_birth")
    )
    assert len(pseudonyms) > 100
    for node in built.public_models():
        table = f'{node["schema"]}."{node["alias"]}"'
        columns = [row[0] for row in con.execute(f"describe {table}").fetchall()]
        for column in columns:
            assert not re.search(r"birth|dob|person", column, re.IGNORECASE), (table, column)
            values = {
                row[0]
                for row in con.execute(
                    f'select distinct cast("{column}" as varchar) from {table}'
                ).fetchall()
            }
            assert not values & personal, (table, column, sorted(values & personal)[:3])


def test_no_raw_person_reference_is_in_the_database_file_target_or_logs(built: Build):
    """Byte scan, beside the SQL scan above: the force's references (P + 8 digits in the
    synthetic extract) appear in no file the build wrote."""
    raw_refs = {ref.encode() for ref in raw_person_values(built, "person_ref")}
    assert len(raw_refs) > 100
    pattern = re.compile(rb"P\d{8}")
    written = [built.db_path, *built.target_dir.rglob("*"), *built.log_dir.rglob("*")]
    for path in (p for p in written if p.is_file()):
        found = set(pattern.findall(path.read_bytes())) & raw_refs
        assert not found, f"raw person references in {path}: {sorted(found)[:3]}"


def test_drop_person_level_tables_leaves_only_aggregates(built: Build, tmp_path):
    """With var drop_person_level_tables, no person-grain table remains once the run is done
    and the public marts are still there; once scripts/compact_database.py has rewritten the
    file, no pseudonym is left in its bytes either (DuckDB does not overwrite freed pages)."""
    manifest = json.loads((built.target_dir / "manifest.json").read_text())
    person_level = {
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["meta"].get("grain") == "person"
    }
    assert ("staging", "stg_police__offence_persons") in person_level
    with built.connect() as con:
        pseudonyms = [
            row[0].encode()
            for row in con.execute(
                "select distinct person_id from staging.stg_police__offence_persons"
            ).fetchall()
        ]
    db_path = tmp_path / "dropped.duckdb"
    shutil.copy(built.db_path, db_path)
    env = dbt_env(built.world.raw_dir, db_path, built.key)
    result = run_dbt(
        ["build", "--select", "fct_area_violence", "--vars", "{drop_person_level_tables: true}"],
        env,
        tmp_path / "target",
        tmp_path / "logs",
    )
    assert result.returncode == 0, result.stdout[-3000:]
    con = duckdb.connect(str(db_path), read_only=True)
    tables = set(
        con.execute(
            "select schema_name, table_name from duckdb_tables() where not internal"
        ).fetchall()
    )
    assert not tables & person_level, sorted(tables & person_level)
    for node in built.public_models():
        assert (node["schema"], node["alias"]) in tables
    assert con.execute("select count(*) from marts.fct_area_violence").fetchone()[0] > 0
    con.close()
    compacted = subprocess.run(
        [sys.executable, str(SCRIPTS_DIR / "compact_database.py"), str(db_path)],
        capture_output=True,
        text=True,
    )
    assert compacted.returncode == 0, compacted.stderr
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_area_violence").fetchone()[0] > 0
    assert not pseudonyms_in(db_path.read_bytes(), set(pseudonyms)), "pseudonyms left in the file"


def pseudonyms_in(contents: bytes, pseudonyms: set[bytes]) -> set[bytes]:
    """The pseudonyms that occur anywhere in contents. A pseudonym is a run of lower-case hex,
    so it lies inside a maximal hex run: every window of each such run is looked up once,
    instead of scanning the whole file for each of tens of thousands of pseudonyms."""
    width = len(next(iter(pseudonyms)))
    assert all(len(p) == width for p in pseudonyms)
    found = set()
    for run in re.finditer(rb"[0-9a-f]{%d,}" % width, contents):
        text = run.group()
        found |= {text[i : i + width] for i in range(len(text) - width + 1)} & pseudonyms
    return found


def test_the_pseudonym_scan_finds_a_pseudonym_inside_longer_hex_and_nothing_else():
    wanted = {b"0123456789abcdef0123456789abcdef", b"f" * 32}
    contents = b"\x00ab" + b"99" + b"0123456789abcdef0123456789abcdef" + b"7\x00" + b"f" * 31
    assert pseudonyms_in(contents, wanted) == {b"0123456789abcdef0123456789abcdef"}
