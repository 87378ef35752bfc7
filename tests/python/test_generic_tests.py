"""Tests of the project's generic data tests whose SQL is more than the rule it states.

unique_combination_of_columns groups by a hash of the columns before it groups by the columns
themselves (for speed on the national tables): it must still find exactly the repeated
combinations, nulls included, and nothing else, even when different combinations share a hash.
The test's SQL is rendered with Jinja as dbt would and run on a small DuckDB table.
"""

from __future__ import annotations

import re

import duckdb
import jinja2
import pytest

from conftest import PROJECT_DIR

TEST_FILE = PROJECT_DIR / "tests" / "generic" / "unique_combination_of_columns.sql"


def unique_combination_sql(model: str, columns: list[str]) -> str:
    text = TEST_FILE.read_text()
    body = re.search(r"\{% test [^%]*%\}(.*)\{% endtest %\}", text, re.DOTALL).group(1)
    return jinja2.Template(body).render(model=model, combination_of_columns=columns)


@pytest.fixture()
def con():
    con = duckdb.connect()
    con.execute(
        """
        create table pairs as select * from (values
            ('a', 1, 'x'), ('a', 1, 'x'), ('a', 1, 'x'),  -- one combination three times
            ('a', 2, 'x'), ('b', 1, 'x'),                 -- unique
            (null, 3, 'y'), (null, 3, 'y'),               -- repeated with a null
            ('c', null, 'z'), ('c', 4, 'z')               -- unique: a null is not a 4
        ) as t (key_text, key_number, other)
        """
    )
    return con


def failures(con, sql: str) -> set[tuple]:
    return {tuple(row) for row in con.execute(sql).fetchall()}


def test_finds_exactly_the_repeated_combinations(con):
    sql = unique_combination_sql("pairs", ["key_text", "key_number"])
    assert failures(con, sql) == {("a", 1, 3), (None, 3, 2)}


def test_a_unique_table_passes(con):
    sql = unique_combination_sql("pairs", ["key_text", "key_number", "other"])
    con.execute("delete from pairs where key_number in (1, 3)")
    assert failures(con, sql) == set()


def test_combinations_sharing_a_hash_are_told_apart(con):
    # Every combination given the same hash: the hash step then passes every row on, and the
    # grouping by the columns alone must decide.
    con.execute("create macro same_hash(a, b) as 0")
    sql = unique_combination_sql("pairs", ["key_text", "key_number"]).replace("hash(", "same_hash(")
    assert "same_hash(" in sql
    assert failures(con, sql) == {("a", 1, 3), (None, 3, 2)}
    con.execute("delete from pairs where key_number in (1, 3)")
    assert failures(con, sql) == set()
