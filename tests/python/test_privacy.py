"""Person data after a build: pseudonymised at ingest, the key and raw references nowhere."""

from __future__ import annotations

import pytest

from conftest import PROJECT_DIR, Build, dbt_env, run_dbt
from pseudonymisation import MissingKeyError, load_key, make_pseudonymiser


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
        ["build", "--select", "+base_police__offence_persons", "--exclude-resource-type",
         "unit_test", "test"],
        env, tmp_path / "target", tmp_path / "logs",
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
