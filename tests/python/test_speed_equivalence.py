"""Faster forms give the same answers (issue 16, "speed where it is spent"): each rewritten
expression, rendered from the project's own macro, against the form it replaced, on fixed
inputs that include every shape the extract contract accepts and the ones it rejects; and
scripts/compare_marts.py, which compares two whole builds, on small made-up databases.

No dbt build here: the macros are plain Jinja, rendered with stand-ins for dbt's ref, var and
sql_string, and run in an in-memory DuckDB."""

from __future__ import annotations

from datetime import datetime

import duckdb
import jinja2
import numpy as np
import pytest

from conftest import PROJECT_DIR, project_vars, run_script

MACROS = PROJECT_DIR / "macros"


def macro(path: str, name: str, **globals_):
    """A macro of the project as a Python function returning its SQL."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    env.globals.update(globals_)
    template = env.from_string((MACROS / path).read_text(encoding="utf-8"))
    return getattr(template.module, name)


def old_parse_timestamp(text: str) -> str:
    """parse_timestamp before: the T replaced by a space, then cast."""
    return (
        f"case when regexp_full_match({text}, "
        r"'\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?')"
        f" then try_cast(replace({text}, 'T', ' ') as timestamp) end"
    )


TIMESTAMPS = [
    # the contract's two forms, and what the pattern allows around them
    "2023-05-04T15:20:00",
    "2023-05-04 15:20",
    "2023-05-04T15:20",
    "2023-05-04 15:20:00",
    "2023-05-04T15:20:07.5",
    "2023-05-04 15:20:07.123456",
    "2023-05-04T00:00:00",
    "2023-12-31T23:59:59.999999",
    "2024-02-29T12:00:00",
    "2000-02-29 06:30",
    "0001-01-01T00:00",
    "9999-12-31 23:59:59",
    # unreadable: impossible calendar times and shapes outside the contract
    "2023-02-30T10:00:00",
    "2023-02-29 10:00",
    "2023-13-01T10:00",
    "2023-00-10T10:00",
    "2023-05-04T24:00",
    "2023-05-04T15:60",
    "2023-05-04T15:20:60",
    "2023-05-04T15:20:00.1234567",
    "2023-05-04",
    "2023-05-04T",
    "2023-05-04T15",
    "2023-5-4 15:20",
    "04/05/2023 15:20",
    "2023-05-04T15:20:00Z",
    "2023-05-04T15:20:00+01:00",
    "2023-05-04  15:20",
    "2023-05-04t15:20",
    "2023-05-04X15:20",
    "2023-05-04T15:20:00T",
    "T2023-05-04 15:20",
    "20230504T152000",
    "not a time",
    "",
    None,
]


def test_timestamp_parse_equals_the_replace_and_cast_it_replaced():
    """Every accepted form reads as before and every broken one is still unreadable (null,
    which staging turns into unparseable_timestamp), on the fixed cases and on a year of
    minutes in both of the contract's forms; but for times with an offset from UTC, read
    since as England's local time, and a date alone, read since as its midnight."""
    parse_timestamp = macro("parsing/parse_values.sql", "parse_timestamp")
    con = duckdb.connect()
    con.execute("create table t (text varchar)")
    con.executemany("insert into t values (?)", [[text] for text in TIMESTAMPS])
    con.execute(
        """
        insert into t
        select strftime(minute, '%Y-%m-%dT%H:%M:%S') from (
            select unnest(range(timestamp '2023-01-01', timestamp '2024-01-01',
                interval 7 minute)) as minute)
        union all
        select strftime(minute, '%Y-%m-%d %H:%M') from (
            select unnest(range(timestamp '2024-01-01', timestamp '2025-01-01',
                interval 11 minute)) as minute)
        """
    )
    rows = con.execute(
        f"select text, {old_parse_timestamp('text')}, {parse_timestamp('text')} from t"
    ).fetchall()
    assert len(rows) > 100_000
    # Times with an offset from UTC, which the old form rejected, are read as England's local
    # time since (macro parse_timestamp), and a date alone as its midnight: the only
    # differences.
    differing = {text: new for text, old, new in rows if old != new}
    assert differing == {
        "2023-05-04T15:20:00Z": datetime(2023, 5, 4, 16, 20),
        "2023-05-04T15:20:00+01:00": datetime(2023, 5, 4, 15, 20),
        "2023-05-04": datetime(2023, 5, 4),
    }
    readable = {text for text, old, _ in rows[: len(TIMESTAMPS)] if old is not None}
    assert readable == set(TIMESTAMPS[:12])


def test_line_break_check_equals_the_regular_expression():
    has_line_break = macro("ingest/raw_files.sql", "has_line_break")
    values = ["a", "a\nb", "a\rb", "a\r\nb", "\n", "\r", "", "line\u2028sep", "tab\tx", None]
    con = duckdb.connect()
    rows = con.execute(
        f"""
        select value, coalesce(regexp_matches(value, '[\\r\\n]'), false),
            {has_line_break("value")}
        from (select unnest(?) as value)
        """,
        [values],
    ).fetchall()
    assert [old for _, old, _ in rows] == [new for _, _, new in rows]
    assert [new for _, _, new in rows] == [False, True, True, True, True, True] + [False] * 4


def test_line_scan_equals_the_forms_it_replaced():
    """count_csv_lines' blank-line test equals trimming every line, and scan_csv's line feeds
    counted per value equal those of each row's values joined into one text."""
    is_non_blank_line = macro("ingest/raw_files.sql", "is_non_blank_line")
    count_line_feeds = macro("ingest/raw_files.sql", "count_line_feeds")
    lines = ["", " ", "\r", " \r", "\r ", "  x", "x", "\rx", "x ", "\t", "é", ",,,", None]
    con = duckdb.connect()
    rows = con.execute(
        f"""
        select line, trim(line, chr(13) || ' ') != '', {is_non_blank_line("line")}
        from (select unnest(?) as line)
        """,
        [lines],
    ).fetchall()
    assert [old for _, old, _ in rows] == [new for _, _, new in rows]
    assert sum(bool(new) for _, _, new in rows) == 7
    values = ["a", "a\nb", "\n\n", "a\r\nb\nc", "", None, "\r"]
    con.execute("create table t (c1 varchar, c2 varchar, c3 varchar)")
    con.executemany(
        "insert into t values (?, ?, ?)",
        [[x, y, z] for x in values for y in values for z in values],
    )
    old, new = con.execute(
        f"""
        select
            sum(length(fields) - length(replace(fields, chr(10), ''))),
            sum(new)
        from (
            select
                concat_ws(chr(31), *columns(*)) as fields,
                {count_line_feeds("c1")} + {count_line_feeds("c2")}
                + {count_line_feeds("c3")} as new
            from t
        )
        """
    ).fetchone()
    assert old == new > 0


def test_uniform_draw_equals_the_decimal_form_it_replaced():
    """(hash // 2048 + 0.5) / 2^53 was a DECIMAL(22,1) sum; the double form gives the same
    correctly rounded number, here for a million hashes and the edges of the range (the
    largest, where x + 1/2 is a tie that rounds to even)."""
    uniform_draw = macro("rates/rates.sql", "uniform_draw")
    con = duckdb.connect()
    con.execute(
        """
        create table h as
        select i as key, i % 200 as replicate, 1 + i % 4 as stream from range(1000000) t(i)
        """
    )
    old = "((hash(key, replicate, stream) // 2048 + 0.5) / 9007199254740992.0)"
    new = uniform_draw("key", "replicate", "stream")
    assert (
        con.execute(
            f"select count(*) filter (where {old} != {new}), min({new}), max({new}) from h"
        ).fetchone()[0]
        == 0
    )
    edges = "[0, 2047, 2048, 9223372036854775807, 9223372036854775808, 18446744073709551615]"
    old_edges, new_edges = (
        "((h // 2048 + 0.5) / 9007199254740992.0)",
        "((cast(h // 2048 as double) + 0.5) / 9007199254740992.0)",
    )
    assert new.replace(" ", "").replace("\n", "") == (
        "((cast(hash(key,replicate,stream)//2048asdouble)+0.5)/9007199254740992.0)"
    )
    assert (
        con.execute(
            f"select count(*) filter (where {old_edges} != {new_edges})"
            f" from (select unnest(cast({edges} as ubigint[])) as h)"
        ).fetchone()[0]
        == 0
    )


def old_priority_ranks(measure_values: str) -> str:
    """priority_ranks before: the weighted percent ranks summed with `order by measure`."""
    return f"""
    with weights as (
        select * from int_priority_measure_weights where priority_weight_used > 0
    ),
    percent_ranks as (
        select m.urn, m.replicate, m.measure, weights.priority_weight_used,
            percent_rank() over (
                partition by m.replicate, m.measure order by m.measure_value
            ) as measure_percent_rank
        from {measure_values} as m
        inner join weights on m.measure = weights.measure
    ),
    scored as (
        select urn, replicate,
            round(100 * sum(priority_weight_used * measure_percent_rank order by measure), 9)
                as priority_score
        from percent_ranks
        group by urn, replicate
    )
    select urn, replicate, priority_score,
        rank() over (partition by replicate order by priority_score desc) as priority_rank
    from scored
    """


@pytest.mark.parametrize("unused_measure", [None, "near_school_commute_violence"])
def test_priority_score_equals_the_ordered_sum_bit_for_bit(unused_measure):
    """Weights that do not add up exactly in binary, measures with ties and nulls, and a
    measure without a weight in use (as in open-data mode): the same scores to the last
    bit, so the same ranks and intervals."""
    weights = project_vars()["priority_weights"]
    priority_ranks = macro(
        "rates/priority_weights.sql",
        "priority_ranks",
        ref=lambda name: name,
        var=lambda name: {"priority_weights": weights}[name],
        sql_string=lambda text: "'" + text.replace("'", "''") + "'",
    )
    con = duckdb.connect()
    raw = np.array([0.37, 0.29, 0.21, 0.13])[: len(weights)]
    used = {
        measure: 0.0 if measure == unused_measure else float(weight)
        for measure, weight in zip(weights, raw)
    }
    total = sum(used.values())
    con.execute(
        "create table int_priority_measure_weights as"
        " select unnest(?) as measure, unnest(?) as priority_weight_used",
        [list(used), [weight / total for weight in used.values()]],
    )
    # ties (25 values) and nulls (1 in 20), the same on every run
    con.execute(
        """
        create table measure_values as
        select
            urn,
            replicate,
            measure,
            case
                when hash(urn, replicate, measure, 'null') % 20 = 0 then null
                else cast(hash(urn, replicate, measure) % 25 as double)
            end as measure_value
        from range(400) as u (urn), range(30) as r (replicate), (select unnest(?) as measure)
        """,
        [list(weights)],
    )
    query = "select * from ({}) order by replicate, urn"
    old = con.execute(query.format(old_priority_ranks("measure_values"))).fetchall()
    new = con.execute(query.format(priority_ranks("measure_values"))).fetchall()
    assert len(new) == 400 * 30
    assert new == old


def make_mart_db(path, scores, extra_row=False):
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_example (urn bigint, name varchar, score double, on_list boolean)"
    )
    rows = [(i, f"school {i}", score, i % 2 == 0) for i, score in enumerate(scores)]
    if extra_row:
        rows.append((99, "school 99", 1.0, True))
    con.executemany("insert into marts.fct_example values (?, ?, ?, ?)", rows)
    con.execute("create table marts.build_status (status varchar, started_at timestamptz)")
    con.execute("insert into marts.build_status values ('complete', now())")
    con.close()


def test_compare_marts_passes_equal_builds_and_names_what_differs(tmp_path):
    scores = [0.1 * i for i in range(50)]
    base = tmp_path / "base.duckdb"
    make_mart_db(base, scores)
    cases = {
        "same": ([*scores], False, 0),
        "within_tolerance": ([s + 1e-12 for s in scores], False, 0),
        "beyond_tolerance": ([*scores[:-1], scores[-1] + 1e-6], False, 1),
        "extra_row": ([*scores], True, 1),
    }
    for name, (new_scores, extra_row, expected) in cases.items():
        new = tmp_path / f"{name}.duckdb"
        make_mart_db(new, new_scores, extra_row)
        result = run_script("compare_marts.py", [str(base), str(new)])
        assert result.returncode == expected, (name, result.stdout, result.stderr)
        assert "marts.fct_example" in result.stdout
        assert "marts.build_status" in result.stdout  # compared, its start time left out
        if name == "beyond_tolerance":
            assert "score (1 rows" in result.stdout
            assert "school" not in result.stdout  # counts and differences, never a value
        if name == "extra_row":
            assert "50 rows in base, 51 in new" in result.stdout


def test_exact_sum_is_the_same_in_any_order_and_matches_the_ordered_sum_it_replaced():
    """Macro exact_sum (it replaced `sum(x order by key)`, which held every row of a group in
    memory): the same bits whatever order the rows come in, on a case where a sum of doubles
    depends on the order (1e16 + 1 - 1e16 is 0 or 1), with a filter; and on ordinary pupil
    figures within 1e-12 of the key-ordered sum of doubles."""
    exact_sum = macro("rates/exact_sum.sql", "exact_sum")
    con = duckdb.connect()
    con.execute("set threads = 1")  # a plain sum then adds in exactly the row order given
    cases = {"cancelling": [1e16, 1.0, -1e16, 0.25], "pupils": [0.1] * 7 + [1 / 3, 2 / 7]}
    for name, values in cases.items():
        results = set()
        plain = set()
        for seed in range(6):
            order = np.random.default_rng(seed).permutation(len(values))
            rows = ", ".join(f"({i}, {values[i]!r}, {bool(i % 2)})" for i in map(int, order))
            table = (
                f"(select key, cast(x as double) as x, odd from (values {rows}) as t(key, x, odd))"
            )
            query = (
                f"select {exact_sum('x')}, {exact_sum('x', where='odd')}, sum(x), "
                f"sum(x order by key) from {table}"
            )
            exact, exact_odd, unordered, ordered = con.execute(query).fetchone()
            results.add((exact, exact_odd))
            plain.add(unordered)
            if name == "pupils":
                assert exact == pytest.approx(ordered, rel=1e-12)
        assert len(results) == 1, results
        if name == "cancelling":
            # the terms exactly: 1e16 + 1 - 1e16 + 0.25, and the odd rows 1 + 0.25
            assert results == {(1.25, 1.25)}
            assert len(plain) > 1, "the case must be one a sum of doubles gets wrong by order"
