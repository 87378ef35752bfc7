"""Broken extracts, as a force might hand them over: each must end in a clear message naming
the file (and what to fix) or in rejected rows with a reason, never in a traceback, a silent
loss, or a person's record in a message, a log, an artefact or the database.

Each case copies the fixture world's raw directory, breaks one thing, and runs dbt on the
staging layer (the layer that reads files) with the force's documented command shape. A
marker person reference is planted in every malformed-row shape; after each run the marker is
looked for in the console output, target/, logs/ and the database file's bytes.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import World, dbt_env, load_spatial, run_dbt, run_script

MARKER = "ZQX7MARKER"


def rows_of(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def write_rows(path: Path, header: list[str], rows: list[list[str]], encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows([header, *rows])


def copy_world(world: World, tmp_path: Path, folder: str = "raw") -> Path:
    raw = tmp_path / folder
    shutil.copytree(world.raw_dir, raw)
    return raw


def stage(raw: Path, tmp_path: Path, select: str = "+staging"):
    """dbt build of the staging layer (and what it needs) on a raw directory, without the unit
    tests, as the documented real-extract run does; returns (result, output, db path)."""
    db = tmp_path / "db.duckdb"
    env = dbt_env(raw, db, "k" * 64)
    result = run_dbt(
        [
            "build",
            "--select",
            select,
            "--exclude-resource-type",
            "unit_test",
            "--indirect-selection",
            "cautious",
        ],
        env,
        tmp_path / "target",
        tmp_path / "logs",
    )
    return result, result.stdout + result.stderr, db


def assert_no_marker(tmp_path: Path, output: str) -> None:
    assert MARKER not in output, "a planted person reference reached the console"
    for path in [
        *tmp_path.glob("target/**/*"),
        *tmp_path.glob("logs/**/*"),
        *tmp_path.glob("db.duckdb*"),
    ]:
        if path.is_file():
            assert MARKER.encode() not in path.read_bytes(), f"the marker is in {path}"


def assert_clear_failure(result, output: str, *phrases: str) -> None:
    """A failed run whose message says what the phrases say, with no Python traceback."""
    assert result.returncode != 0, output[-3000:]
    for phrase in phrases:
        assert re.search(phrase, output), f"{phrase!r} not in:\n{output[-4000:]}"
    assert "Traceback (most recent call last)" not in output
    assert "Failure in unit_test" not in output


def person_row(header, template, ref):
    row = list(template)
    row[header.index("person_ref")] = ref
    return row


@pytest.fixture(scope="module")
def malformed_persons(world: World, tmp_path_factory):
    """One run on a persons file holding every malformed-row shape, each with the marker."""
    tmp_path = tmp_path_factory.mktemp("malformed")
    raw = copy_world(world, tmp_path)
    path = raw / "offence_persons.csv"
    header, rows = rows_of(path)
    template = rows[3]

    def line(ref, tweak):
        return tweak(",".join(person_row(header, template, ref)))

    shapes = {
        "too_many_fields": lambda text: text + ",EXTRA",
        "too_few_fields": lambda text: ",".join(text.split(",")[:4]),
        "malformed_quotes": lambda text: text.replace(f"{MARKER}3", f'"{MARKER}3"x'),
        "line_break_in_value": lambda text: text.replace(f"{MARKER}4", f'"{MARKER}4\nB"'),
    }
    lines = [",".join(header)] + [",".join(row) for row in rows]
    planted = {}
    for number, (reason, tweak) in enumerate(shapes.items(), start=1):
        position = 10 * number  # data row number of the planted row
        lines.insert(position, line(f"{MARKER}{number}", tweak))
        planted[position] = reason
    with open(path, "w", newline="", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    result, output, db = stage(raw, tmp_path)
    return tmp_path, result, output, db, planted, len(lines) - 1


def test_malformed_person_rows_are_rejected_with_their_reason(malformed_persons):
    _, result, output, db, planted, rows_in_file = malformed_persons
    assert result.returncode == 0, output[-4000:]
    with duckdb.connect(str(db), read_only=True) as con:
        rejected = dict(
            con.execute(
                "select source_row_number, reject_reason"
                " from staging.stg_police__offence_persons_rejects"
            ).fetchall()
        )
        staged = con.execute("select count(*) from staging.stg_police__offence_persons").fetchone()[
            0
        ]
    for position, reason in planted.items():
        assert rejected.get(position) == reason, (position, reason, rejected.get(position))
    # every row of the file is either staged or rejected
    assert staged + len(rejected) == rows_in_file


def test_no_malformed_person_row_reaches_a_message_log_or_the_database(malformed_persons):
    tmp_path, _, output, _, _, _ = malformed_persons
    assert_no_marker(tmp_path, output)


def test_a_quote_left_open_stops_the_build_naming_the_file_not_the_row(world, tmp_path):
    raw = copy_world(world, tmp_path)
    path = raw / "offence_persons.csv"
    header, rows = rows_of(path)
    lines = [",".join(header)] + [",".join(row) for row in rows]
    opened = person_row(header, rows[5], f'"{MARKER}open')  # never closed: joins the rest
    lines.insert(20, ",".join(opened))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, output, _ = stage(raw, tmp_path)
    assert_clear_failure(result, output, r"offence_persons\.csv", r"never closed")
    assert_no_marker(tmp_path, output)


@pytest.mark.parametrize(
    "contents, phrase",
    [
        ("", r"offences\.csv is empty"),
        ("header", r"offences\.csv has a header row but no data rows"),
    ],
)
def test_an_empty_offences_file_says_so(world, tmp_path, contents, phrase):
    raw = copy_world(world, tmp_path)
    header, _ = rows_of(raw / "offences.csv")
    (raw / "offences.csv").write_text(
        ",".join(header) + "\n" if contents == "header" else "", encoding="utf-8"
    )
    result, output, _ = stage(raw, tmp_path)
    assert_clear_failure(result, output, phrase)


def test_a_required_column_empty_on_every_row_is_pointed_out(world, tmp_path):
    """A column the export left empty throughout (the header names it, no row fills it)
    rejects every row for one reason: the message says the value is empty on every row."""
    raw = copy_world(world, tmp_path)
    path = raw / "offences.csv"
    header, rows = rows_of(path)
    column = [name.lower() for name in header].index("crime_ref")
    for row in rows:
        row[column] = ""
    write_rows(path, header, rows)
    result, output, _ = stage(raw, tmp_path)
    assert_clear_failure(
        result,
        output,
        r"offences\.csv: .* rows \(100\.0%\) were rejected \(missing_crime_ref ",
        r"The value is empty on every row: check that the export fills that column\.",
    )


def test_a_missing_required_file_is_named(world, tmp_path):
    raw = copy_world(world, tmp_path)
    (raw / "lsoa_lookup.csv").unlink()
    result, output, _ = stage(raw, tmp_path)
    assert_clear_failure(result, output, r"Required extract file lsoa_lookup\.csv not found")
    assert "The folder has" not in output


@pytest.mark.parametrize(
    "file, exported_as, required",
    [
        ("lsoa_lookup.csv", "LSOA_Lookup.CSV", True),
        ("lsoa_lookup.csv", "lsoa_lookup.csv.gz", True),
        ("offences.csv", "Offences.csv", True),
        # optional: before, the build went on without it and said nothing
        ("pupil_residence.csv", "Pupil_Residence.csv", False),
    ],
)
def test_a_misnamed_or_compressed_contract_file_is_pointed_out_before_anything_is_built(
    world, tmp_path, file, exported_as, required
):
    """A force's export named in capitals, or compressed, is not the contract's file: the
    message names the file that is there and says what to do with it, before any model runs
    (not after minutes of other models, nor, for an optional file, never)."""
    raw = copy_world(world, tmp_path)
    (raw / file).rename(raw / exported_as)
    result, output, db = stage(raw, tmp_path)
    assert_clear_failure(
        result,
        output,
        ("Required extract file " if required else "Extract file ")
        + re.escape(file)
        + r" not found in raw_dir .*\. The folder has "
        + re.escape(exported_as)
        + r": the file must be named exactly "
        + re.escape(file)
        + r" \(lower case\) and not compressed",
    )
    models_built = 0
    if db.exists():
        with duckdb.connect(str(db), read_only=True) as con:
            models_built = con.execute(
                "select count(*) from duckdb_tables() where schema_name <> 'marts'"
            ).fetchone()[0]
    assert models_built == 0, "models ran before the misnamed file was pointed out"


def test_a_missing_person_column_is_named_without_showing_the_header(world, tmp_path):
    """A persons file without its header row would make a person's record the "header": the
    message names the missing column and does not list what the first line holds."""
    raw = copy_world(world, tmp_path)
    path = raw / "offence_persons.csv"
    header, rows = rows_of(path)
    rows[0][header.index("person_ref")] = MARKER
    write_rows(path, rows[0], rows[1:])  # the header row is gone: the first record is it
    result, output, _ = stage(raw, tmp_path)
    assert_clear_failure(result, output, r"offence_persons\.csv: required column")
    assert_no_marker(tmp_path, output)


def test_a_column_named_twice_stops_the_build_without_showing_a_value(world, tmp_path):
    """A persons file with a column the project reads named twice (here `Home Easting` beside
    home_easting, two exports joined): the first used to be read in silence. Now the build
    stops, naming the column and the positions, and no planted value reaches the output."""
    raw = copy_world(world, tmp_path)
    path = raw / "offence_persons.csv"
    header, rows = rows_of(path)
    write_rows(path, [*header, "Home Easting"], [[*row, MARKER] for row in rows])
    result, output, _ = stage(raw, tmp_path)
    position = len(header) + 1
    assert_clear_failure(
        result,
        output,
        r"offence_persons\.csv: the header names column 'home_easting' 2 times \(columns "
        + str(header.index("home_easting") + 1)
        + f", {position}\\)",
        r"Keep one and rename or remove the others",
    )
    assert_no_marker(tmp_path, output)


@pytest.mark.parametrize("separator, name", [(";", "semicolons"), ("\t", "tabs")])
def test_a_file_separated_by_another_character_is_pointed_out(world, tmp_path, separator, name):
    """A persons file saved with semicolons (Excel in many locales) or tabs is read as one
    column: the message says which separator the file has, and shows none of its values."""
    raw = copy_world(world, tmp_path)
    path = raw / "offence_persons.csv"
    header, rows = rows_of(path)
    rows[0][header.index("person_ref")] = MARKER
    path.write_text(
        "".join(separator.join(row) + "\n" for row in [header, *rows]), encoding="utf-8"
    )
    result, output, _ = stage(raw, tmp_path)
    assert_clear_failure(
        result,
        output,
        r"offence_persons\.csv: required column .* Its header is one name holding "
        + name
        + r": the file is separated by "
        + name,
    )
    assert_no_marker(tmp_path, output)


def test_mostly_unreadable_timestamps_stop_the_build_with_the_share(world, tmp_path):
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / "offences.csv")
    column = header.index("committed_from")
    for number, row in enumerate(rows):
        if number % 10:  # 90% of rows
            row[column] = row[column].replace("-", "/")
    write_rows(raw / "offences.csv", header, rows)
    result, output, _ = stage(raw, tmp_path)
    assert_clear_failure(
        result,
        output,
        r"offences\.csv: \d+ of \d+ rows \(9\d\.\d%\) were rejected",
        r"unparseable_timestamp",
        r"max_reject_share",
    )


def test_one_bad_date_does_not_move_the_window(world, tmp_path):
    """A committed_from in 2999 is after its recorded_at (rejected); one a year after the last
    offence, with a recorded_at to match (staged), lies in a month of its own: neither moves
    the window, so the area counts stay the same."""
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / "offences.csv")
    committed, recorded = header.index("committed_from"), header.index("recorded_at")
    last = max(row[committed].replace("T", " ")[:10] for row in rows[:5000])
    future = list(rows[0])
    future[header.index("crime_ref")] = "99/000001/99"
    future[committed] = "2999-01-01 10:00"
    late = list(rows[1])
    late[header.index("crime_ref")] = "99/000002/99"
    late_day = f"{int(last[:4]) + 1}{last[4:]}"
    late[committed], late[recorded] = f"{late_day} 10:00", f"{late_day} 11:00"
    late[header.index("committed_to")] = ""
    write_rows(raw / "offences.csv", header, rows + [future, late])
    result, output, db = stage(raw, tmp_path, "+int_analysis_window")
    assert result.returncode == 0, output[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        reason = con.execute(
            "select reject_reason from staging.base_police__offences"
            " where crime_ref = '99/000001/99'"
        ).fetchone()
        window_end = con.execute(
            "select window_end_date from intermediate.int_analysis_window"
        ).fetchone()[0]
    assert reason == ("committed_after_recorded",)
    assert str(window_end) <= max(row[committed][:10] for row in rows)


def test_numbers_with_thousands_separators_are_read(world, tmp_path):
    """A schools file saved from a spreadsheet formatted for display: rolls of 1,000 or more
    and every easting and northing written with commas between the thousands (1,050;
    412,345). Each school stages with the roll and the point the plain file gives: before,
    the points were rejected as unparseable_coordinates and the rolls read as absent."""
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / "schools.csv")
    at = {name: header.index(name) for name in ("URN", "NumberOfPupils", "Easting", "Northing")}
    expected, grouped = {}, 0
    for row in rows:
        if not all(row[at[name]].isdigit() for name in at):
            continue
        expected[int(row[at["URN"]])] = tuple(int(row[at[name]]) for name in list(at)[1:])
        for name in list(at)[1:]:
            grouped += int(row[at[name]]) >= 1000
            row[at[name]] = f"{int(row[at[name]]):,}"
    assert grouped > 100
    write_rows(raw / "schools.csv", header, rows)
    result, output, db = stage(raw, tmp_path, "+stg_gias__schools")
    assert result.returncode == 0, output[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        staged = {
            urn: (roll, easting, northing)
            for urn, roll, easting, northing in con.execute(
                "select urn, pupils_on_roll, easting, northing from staging.base_gias__schools"
                " where reject_reason is null"
            ).fetchall()
        }
    read = {urn: staged[urn] for urn in expected if urn in staged}
    assert len(read) >= 0.95 * len(expected)
    assert read == {urn: expected[urn] for urn in read}


def test_a_windows_1252_gias_file_is_read(world, tmp_path):
    """The DfE's own GIAS download is Windows-1252: curly apostrophes and accents survive."""
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / "schools.csv")
    name = header.index("EstablishmentName")
    rows[0][name] = "St Mary\u2019s Caf\u00e9 Academy"
    write_rows(raw / "schools.csv", header, rows, encoding="cp1252")
    result, output, db = stage(raw, tmp_path, "+stg_gias__schools")
    assert result.returncode == 0, output[-3000:]
    urn = rows[0][header.index("URN")]
    with duckdb.connect(str(db), read_only=True) as con:
        staged = con.execute(
            f"select school_name from staging.base_gias__schools where urn = {int(urn)}"
        ).fetchone()
    assert staged == ("St Mary\u2019s Caf\u00e9 Academy",)


def test_one_bad_byte_in_a_utf8_gias_file_garbles_no_other_name(world, tmp_path):
    """A UTF-8 file with one byte that is not UTF-8 (a Windows-1252 e-acute pasted in) is
    still read as UTF-8: its accents and curly apostrophes survive, and only the row with the
    bad byte is rejected, as invalid_encoding. Read as Windows-1252 (the fallback for a file
    that is not UTF-8), every accent of the file would be garbled: Caf\u00c3\u00a9."""
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / "schools.csv")
    name, urn = header.index("EstablishmentName"), header.index("URN")
    rows[0][name] = "St Mary\u2019s Caf\u00e9 Academy"
    rows[1][name] = "Ren\u00e9e Primary"
    rows[2][name] = "BADBYTE"
    write_rows(raw / "schools.csv", header, rows)
    path = raw / "schools.csv"
    path.write_bytes(path.read_bytes().replace(b"BADBYTE", b"Bad \xe9 Byte"))
    result, output, db = stage(raw, tmp_path, "+stg_gias__schools")
    assert result.returncode == 0, output[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        names = dict(
            con.execute(
                "select urn, school_name from staging.base_gias__schools where urn in (?, ?)",
                [int(rows[0][urn]), int(rows[1][urn])],
            ).fetchall()
        )
        bad = con.execute(
            "select reject_reason from staging.base_gias__schools where source_row_number = 3"
        ).fetchone()
    assert names == {
        int(rows[0][urn]): "St Mary\u2019s Caf\u00e9 Academy",
        int(rows[1][urn]): "Ren\u00e9e Primary",
    }
    assert bad == ("invalid_encoding",)


@pytest.mark.parametrize("rows_in", ["utf-8", "cp1252"])
def test_a_header_that_is_not_utf8_is_still_the_header(world, tmp_path, rows_in):
    """An extra column named with a Windows-1252 accent (a byte that is not UTF-8): the header
    is still read as the header, not skipped so that the first data row is taken for it (the
    build used to stop with a required column missing). Every row is staged, none rejected
    for its encoding, whether the rows are plain ASCII (read as UTF-8) or Windows-1252 too."""
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / "schools.csv")
    name, urn = header.index("EstablishmentName"), header.index("URN")
    if rows_in == "cp1252":
        rows[0][name] = "St Mary\u2019s Caf\u00e9 Academy"
    write_rows(
        raw / "schools.csv",
        [*header, "Cat\u00e9gorie"],
        [[*row, "x"] for row in rows],
        encoding="cp1252",
    )
    result, output, db = stage(raw, tmp_path, "+stg_gias__schools")
    assert result.returncode == 0, output[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        staged, encoding_rejects = con.execute(
            "select count(*), count(*) filter (where reject_reason = 'invalid_encoding')"
            " from staging.base_gias__schools"
        ).fetchone()
        first = con.execute(
            "select school_name from staging.base_gias__schools where urn = ?",
            [int(rows[0][urn])],
        ).fetchone()
    assert (staged, encoding_rejects) == (len(rows), 0)
    assert first == (rows[0][name],)


@pytest.mark.parametrize(
    ("content", "encoding", "expected"),
    [
        (b"a,b\r\n1,2\r\n", "utf-8", "a,b"),
        (b"\r\n  \n\r\na,b\n1,2\n", "utf-8", "a,b"),  # blank lines before the header
        (b"a,b\r1,2\r", "utf-8", "a,b"),  # carriage returns alone end lines too
        (b"a,Cat\xe9gorie\n1,2\n", "utf-8", None),  # not UTF-8: no UTF-8 line
        (b"a,Cat\xe9gorie\n1,2\n", "CP1252", "a,Cat\u00e9gorie"),
        (b"a,\x81b\n", "CP1252", "a,\ufffdb"),  # a byte Windows-1252 leaves undefined
        ("a,Caf\u00e9\n".encode(), "utf-8", "a,Caf\u00e9"),
        (b"a,b", "utf-8", "a,b"),  # no line end at all
        (b"", "utf-8", None),
        (b" \r\n\n", "CP1252", None),
    ],
)
def test_the_first_line_is_read_from_the_start_of_the_file(tmp_path, content, encoding, expected):
    """The plugin's csv_first_line, which gives every CSV file's header: the first non-blank
    line, in the encoding asked for, from the file's first lines only (DuckDB's reader decoded
    a whole Windows-1252 file first: 24 s for the national offences.csv)."""
    from school_exposure_plugin import csv_first_line

    path = tmp_path / "file.csv"
    path.write_bytes(content)
    assert csv_first_line(str(path), encoding) == expected
    gzipped = tmp_path / "file.csv.gz"
    gzipped.write_bytes(gzip.compress(content))
    assert csv_first_line(str(gzipped), encoding) == expected
    assert csv_first_line(str(tmp_path / "absent.csv"), encoding) is None


def test_lines_ending_in_two_ways_stop_the_build_naming_the_first_that_differs(world, tmp_path):
    """A CRLF file with a line ending in LF alone (two exports joined, or a blank line added on
    another system): DuckDB's strict reader stopped with "the CSV Parser state machine reached
    an invalid state" (on a large file, with no file name at all). The build names the file,
    the first line that ends otherwise, and the fix."""
    raw = copy_world(world, tmp_path)
    path = raw / "offences.csv"
    lines = path.read_bytes().count(b"\n")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n") + b"\n")
    result, output, _ = stage(raw, tmp_path, "+stg_police__offences")
    assert_clear_failure(
        result,
        output,
        r"offences\.csv ends its lines in two ways",
        rf"line 1 ends in CRLF \(Windows\), line {lines + 1:,} in LF alone",
        r"dos2unix",
    )
    assert "state machine" not in output


def test_a_null_written_out_is_an_empty_value(world, build, tmp_path):
    """Database exports often write an empty value as the word NULL. It is read as empty, as
    the contract means, not as a value that cannot be parsed: committed_to written NULL
    rejected the offence as unparseable_timestamp (one in seven of a sweep's offences). Each
    empty optional value of a well-formed line is written NULL or null here, so the staging
    must equal the fixture build's."""
    raw = copy_world(world, tmp_path)
    path = raw / "offences.csv"
    header, *lines = path.read_text(encoding="utf-8").split("\n")
    names = header.split(",")
    optional = [names.index(c) for c in ("committed_to", "easting", "northing", "status")]
    written = 0
    for number, line in enumerate(lines):
        fields = line.split(",")
        if '"' in line or len(fields) != len(names):
            continue  # the fixture's malformed rows stay as they are
        for position in optional:
            if fields[position] == "":
                fields[position] = ("NULL", "null")[written % 2]
                written += 1
        lines[number] = ",".join(fields)
    path.write_text("\n".join([header, *lines]), encoding="utf-8")
    assert written > 100
    result, output, db = stage(raw, tmp_path, "+stg_police__offences +stg_police__offences_rejects")
    assert result.returncode == 0, output[-3000:]
    queries = [
        "select count(*), count(committed_to_at), count(lsoa_code)"
        " from staging.stg_police__offences",
        "select reject_reason, count(*) from staging.stg_police__offences_rejects"
        " group by all order by all",
    ]
    with duckdb.connect(str(db), read_only=True) as con:
        read = [con.execute(query).fetchall() for query in queries]
    with build.connect() as con:
        assert read == [con.execute(query).fetchall() for query in queries]


@pytest.mark.parametrize(
    ("content", "problem_line"),
    [
        (b"a,b\r\n1,2\r\n", None),
        (b"a,b\n1,2\n", None),
        (b"a,b\r1,2\r", None),  # carriage returns alone: one way, which DuckDB reads
        (b'a,b\r\n1,"x\ny"\r\n2,3\r\n', None),  # LF inside a quoted value, as Excel writes
        (b'a,b\n1,"x\r\ny"\n2,"q""\r\n""r"\n', None),  # CRLF inside quoted values
        (b"a,b\r\n1,2\r\n\n", 3),  # a blank line in LF alone at the end
        (b"a,b\n1,2\r\n3,4\n", 2),
        (b'a,b\n1,"x""\r\n"\r\n', 3),  # an escaped quote neither opens nor closes one
    ],
)
def test_a_line_break_inside_a_quoted_value_is_not_a_line_ending(tmp_path, content, problem_line):
    """The plugin's check of line endings (raw_file_problem): only the ends of rows count,
    so a CRLF file whose quoted values hold LF is read; the first row that ends otherwise is
    named. The same for a .gz file, which is read decompressed."""
    from school_exposure_plugin import raw_file_problem

    for name, data in (("file.csv", content), ("file.csv.gz", gzip.compress(content))):
        path = tmp_path / name
        path.write_bytes(data)
        problem = raw_file_problem(str(path))
        if problem_line is None:
            assert problem is None, (content, problem)
        else:
            assert re.search(rf"line 1 ends in .*, line {problem_line} in ", problem), problem


def test_a_line_a_quote_joins_is_found_in_a_utf8_file_with_a_bad_byte(world, tmp_path):
    """A quote that joins one line to a row, in a UTF-8 file that also holds a byte that is
    not UTF-8: the line that belongs to no row is still found, and the build stops. (The
    line count skips the bad byte's line, which the scan counts as a malformed row.)"""
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / "schools.csv")
    name = header.index("EstablishmentName")
    rows[0][name] = "Ren\u00e9e Primary"
    rows[2][name] = "BADBYTE"
    rows[4][name] = "OPENQUOTE"
    write_rows(raw / "schools.csv", header, rows)
    path = raw / "schools.csv"
    path.write_bytes(
        path.read_bytes()
        .replace(b"BADBYTE", b"Bad \xe9 Byte")
        .replace(b"OPENQUOTE", b'"Open\nQuote"x')
    )
    result, output, _ = stage(raw, tmp_path, "+stg_gias__schools")
    assert_clear_failure(result, output, r"schools\.csv: 1 line\(s\)", r"never closed")


def test_a_raw_directory_whose_path_holds_a_quote_is_read(world, tmp_path):
    raw = copy_world(world, tmp_path, "the force's extract")
    result, output, db = stage(raw, tmp_path, "+stg_police__offences")
    assert result.returncode == 0, output[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from staging.stg_police__offences").fetchone()[0]


def test_lsoas_missing_from_the_lookup_are_named_in_a_warning(world, tmp_path):
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / "lsoa_lookup.csv")
    write_rows(raw / "lsoa_lookup.csv", header, rows[3:])  # three LSOAs without a lookup row
    result, output, _ = stage(raw, tmp_path, "+int_area_violence_counts")
    assert result.returncode == 0, output[-3000:]
    assert re.search(r"WARN 3 assert_every_lsoa_is_in_the_lookup", output), output[-3000:]


def test_lsoas_without_population_are_named_in_a_warning(world, tmp_path):
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / "lsoa_population.csv")
    first_lsoa = rows[0][0]
    write_rows(raw / "lsoa_population.csv", header, [r for r in rows if r[0] != first_lsoa])
    result, output, _ = stage(raw, tmp_path, "+int_area_violence_counts")
    assert result.returncode == 0, output[-3000:]
    assert re.search(r"WARN 1 assert_every_lsoa_has_residents", output), output[-3000:]


@pytest.mark.parametrize(
    "file_name, columns, select",
    [
        ("offence_persons.csv", ("home_easting", "home_northing"), "+stg_police__offence_persons"),
        ("schools.csv", ("Easting", "Northing"), "+stg_gias__schools"),
    ],
)
def test_points_given_in_degrees_stop_the_build_naming_the_coordinates(
    world, tmp_path, file_name, columns, select
):
    """A file whose points are longitude and latitude, not grid metres (persons' homes, or
    GIAS's Easting and Northing): each such row is rejected as unparseable_coordinates, so
    the build stops with the share and the hint. Before, every home was staged as outside
    the study area and every school rejected as outside it (which max_reject_share does not
    count, a national GIAS file being expected), and no check counted either."""
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / file_name)
    easting, northing = (header.index(column) for column in columns)
    for row in rows:
        if row[easting] and row[northing]:
            row[easting], row[northing] = "-1.8904", "52.4862"
    write_rows(raw / file_name, header, rows)
    result, output, _ = stage(raw, tmp_path, select)
    assert_clear_failure(
        result,
        output,
        re.escape(file_name) + r": \d+ of \d+ rows \(\d+\.\d%\) were rejected",
        r"unparseable_coordinates",
        r"British National Grid",
    )
    assert "52.4862" not in output


def test_person_roles_the_contract_does_not_name_are_kept_with_a_warning(world, tmp_path):
    """A role the contract does not name (a force's own code, or a typo of SUSPECT) is kept,
    as other roles are, and counts nowhere: a warning says so, so that a suspect recorded
    under another code is not lost in silence. The warning counts values, never shows one."""
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / "offence_persons.csv")
    role = header.index("role")
    suspects = [row for row in rows if row[role] == "SUSPECT"]
    for row in suspects[:3]:
        row[role] = "ZQX7ROLE"
    write_rows(raw / "offence_persons.csv", header, rows)
    result, output, db = stage(raw, tmp_path, "+stg_police__offence_persons")
    assert result.returncode == 0, output[-3000:]
    assert re.search(r"WARN 1 accepted_values_stg_police__offence_persons_role", output), output[
        -3000:
    ]
    assert "ZQX7ROLE" not in output
    for path in [*tmp_path.glob("target/**/*"), *tmp_path.glob("logs/**/*")]:
        if path.is_file():
            assert b"ZQX7ROLE" not in path.read_bytes(), f"the role is in {path}"
    with duckdb.connect(str(db), read_only=True) as con:
        kept = con.execute(
            "select count(*) from staging.stg_police__offence_persons"
            " where role = 'ZQX7ROLE' and not is_suspect_or_offender and not is_victim"
        ).fetchone()
    assert kept == (3,)

    # A force that lists the role as one of its own hears no more of it.
    listed = run_dbt(
        [
            "test",
            "--select",
            "accepted_values_stg_police__offence_persons_role",
            "--vars",
            "{other_person_roles: [WITNESS, ZQX7ROLE]}",
        ],
        dbt_env(raw, db, "k" * 64),
        tmp_path / "target",
        tmp_path / "logs",
    )
    listed_output = listed.stdout + listed.stderr
    assert listed.returncode == 0, listed_output[-3000:]
    assert re.search(r"PASS accepted_values_stg_police__offence_persons_role", listed_output)


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    """The rows as a minimal Excel workbook (a zip of XML parts), as Excel saves an .xlsx."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    cells = "".join(
        "<row>"
        + "".join(f'<c t="inlineStr"><is><t>{escape(v)}</t></is></c>' for v in row)
        + "</row>"
        for row in rows
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr(
            "xl/worksheets/sheet1.xml", f"<worksheet><sheetData>{cells}</sheetData></worksheet>"
        )
    return buffer.getvalue()


@pytest.mark.parametrize(
    "file_name, breakage, select, phrase",
    [
        (
            "offence_persons.csv",
            "xlsx",
            "+stg_police__offence_persons",
            r"offence_persons\.csv is a zip archive \(an Excel \.xlsx workbook is one\), not CSV"
            r" text: open it in Excel and save it as 'CSV UTF-8",
        ),
        (
            "lsoa_lookup.csv",
            "utf-16",
            "+stg_ons__lsoa_lookup",
            r"lsoa_lookup\.csv is UTF-16 text .*save it as 'CSV UTF-8",
        ),
        ("lsoa_lookup.csv", "folder", "+stg_ons__lsoa_lookup", r"lsoa_lookup\.csv is a folder"),
        (
            "lsoa_boundaries.geojson",
            "cut short",
            "+stg_ons__lsoa_boundaries",
            r"lsoa_boundaries\.geojson cannot be read as a geojson file .*is it complete",
        ),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_named(
    world, tmp_path, file_name, breakage, select, phrase
):
    """An Excel workbook saved under the .csv name, a UTF-16 ("Unicode Text") export, a
    folder of the file's name, a GeoJSON file cut short in copying: each stops the build with
    a message naming the file and the fix. Before, the workbook's and the UTF-16 file's bytes
    were taken for a header (required column missing, the UTF-16 header shown with NUL
    bytes), the folder was "not found", and the GeoJSON ended in DuckDB's "IO Error: Failed
    to read GeoJSON data" under the SQL that read it."""
    raw = copy_world(world, tmp_path)
    path = raw / file_name
    if breakage == "xlsx":
        header, rows = rows_of(path)
        rows[0][header.index("person_ref")] = MARKER
        path.write_bytes(xlsx_bytes([header, *rows]))
    elif breakage == "utf-16":
        path.write_text(path.read_text(encoding="utf-8"), encoding="utf-16")
    elif breakage == "folder":
        path.unlink()
        path.mkdir()
    else:
        text = path.read_bytes()
        path.write_bytes(text[: len(text) // 2])
    result, output, _ = stage(raw, tmp_path, select)
    assert_clear_failure(result, output, phrase)
    assert "\x00" not in output
    assert "IO Error" not in output
    assert_no_marker(tmp_path, output)


@pytest.mark.parametrize(
    "file_name, select",
    [
        ("lsoa_lookup.csv", "+stg_ons__lsoa_lookup"),
        ("lsoa_population.csv", "+stg_ons__lsoa_population"),
    ],
)
def test_a_lookup_or_population_of_another_lsoa_vintage_stops_the_build(
    world, tmp_path, file_name, select
):
    """A lookup or population file whose LSOA codes match none of the boundaries' (2011
    codes against 2021 boundaries): every row is rejected as outside_study_area, which
    max_reject_share does not count (a national file is expected), so nothing of the file was
    left. The lookup used to build "complete" with every higher level (MSOA, ward, LAD) gone
    from fct_area_violence and only warnings; the population ended in a Python traceback
    (int_catchment_gravity_calibration) and failed not_null tests. Now staging stops, naming
    the file, the count and the vintage."""
    raw = copy_world(world, tmp_path)
    path = raw / file_name
    header, rows = rows_of(path)
    code = next(n for n, name in enumerate(header) if name.lower() in ("lsoa21cd", "lsoa_code"))
    for row in rows:
        row[code] = "X" + row[code][1:]  # an LSOA of no boundary
    write_rows(path, header, rows)
    result, output, _ = stage(raw, tmp_path, select)
    assert_clear_failure(
        result,
        output,
        re.escape(file_name) + r": none of its \d+ rows could be staged \(outside_study_area",
        r"LSOA codes of the same vintage as the boundaries",
    )


@pytest.mark.parametrize(
    "columns, value, phrase",
    [
        (
            ("status",),
            "cancelled",
            r"offences\.csv: every one of its \d+ staged crimes has status cancelled, so no"
            r" offence is left to count\. Check the status column",
        ),
        (
            ("easting", "northing"),
            "",
            r"offences\.csv: none of its \d+ staged crimes has a location \(easting and"
            r" northing\)",
        ),
        (
            ("ho_offence_code",),
            "28A",  # burglary in a dwelling: an extract of one crime type, not violent
            r"offences\.csv: none of its \d+ staged crimes is violent \(a Home Office code",
        ),
    ],
)
def test_offences_none_of_which_can_be_counted_stop_the_build(
    world, tmp_path, columns, value, phrase
):
    """Every crime of offences.csv cancelled (a status column mapped the wrong way), none
    geocoded (easting and northing left empty), or none violent (an extract of burglaries):
    no violent offence is left to count. The build used
    to go on to DuckDB's "Conversion Error: Could not cast value -nan to DECIMAL(38,18)" in
    int_school_exposure_by_deprivation_decile; now staging stops, naming the file and the
    columns."""
    raw = copy_world(world, tmp_path)
    path = raw / "offences.csv"
    header, rows = rows_of(path)
    for column in columns:
        position = header.index(column)
        for row in rows:
            if len(row) > position:
                row[position] = value
    write_rows(path, header, rows)
    result, output, _ = stage(raw, tmp_path, "+stg_police__offences")
    assert_clear_failure(result, output, phrase)


def test_a_window_the_extract_does_not_cover_stops_the_build(world, tmp_path):
    """Vars analysis_start and analysis_end set to a year the extract does not cover (a
    mistyped year): no violent offence is in the window. The build used to go on to DuckDB's
    "Could not cast value -nan to DECIMAL(38,18)" in int_school_exposure_by_deprivation_decile;
    now it stops where the offences are counted, giving the window, the data's dates and the
    vars to change."""
    db = tmp_path / "db.duckdb"
    result = run_dbt(
        [
            "build",
            "--select",
            "+int_school_exposure_by_deprivation_decile",
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            "{analysis_start: 2001-01-01, analysis_end: 2001-12-31}",
        ],
        dbt_env(world.raw_dir, db, "k" * 64),
        tmp_path / "target",
        tmp_path / "logs",
    )
    output = result.stdout + result.stderr
    assert_clear_failure(
        result,
        output,
        r"No violent offence is in the analysis window, 2001-01-01 to 2001-12-31: the"
        r" extract's [1-9]\d* violent offences \(confirmed, in var violence_categories\) run"
        r" from 20\d\d-\d\d-\d\d to 20\d\d-\d\d-\d\d",
        r"Set vars analysis_start and analysis_end to dates inside the coverage",
    )
    assert "-nan" not in output


@pytest.mark.parametrize(
    "column, value, phrase",
    [
        (
            "EstablishmentStatus (name)",
            "Closed",
            r"schools\.csv: none of its \d+ staged establishments is open",
        ),
        (
            "NumberOfPupils",
            "",
            r"schools\.csv: none of its \d+ open schools has a roll \(NumberOfPupils above 0\)",
        ),
    ],
)
def test_schools_none_of_which_can_be_analysed_stop_the_build(
    world, tmp_path, column, value, phrase
):
    """A GIAS file with no open school, or no open school with a roll (NumberOfPupils left
    empty by the export): nothing to build catchments for. The build used to end in a Python
    traceback in int_catchment_gravity_calibration ("Provided table/dataframe must have at
    least one column"), or in not_null_int_school_rolls_pupils_on_roll failing; now staging
    stops, naming the file and the column."""
    raw = copy_world(world, tmp_path)
    path = raw / "schools.csv"
    header, rows = rows_of(path)
    for row in rows:
        row[header.index(column)] = value
    write_rows(path, header, rows)
    result, output, _ = stage(raw, tmp_path, "+stg_gias__schools")
    assert_clear_failure(result, output, phrase)


def test_a_school_capacity_stands_in_for_an_empty_roll(world, tmp_path):
    """GIAS SchoolCapacity, which the contract reads when present: a school whose
    NumberOfPupils is empty takes its capacity times the median share of capacity that schools
    with both fill, not the median roll of its phase (a new school's capacity says more of its
    size than its phase does). Here every school has a capacity of five quarters of its roll
    and every other one has lost its roll: each of those gets its roll back (to rounding). A
    capacity below 0 or not a number is left empty; the school is not rejected."""
    raw = copy_world(world, tmp_path)
    (raw / "pupil_residence.csv").unlink()  # optional; it would stand in first
    header, rows = rows_of(raw / "schools.csv")
    assert header[0] == "URN"
    roll = header.index("NumberOfPupils")
    header.append("SchoolCapacity")
    original, bad_capacity = {}, []
    for number, row in enumerate(rows):
        if len(row) != len(header) - 1 or not row[roll].isdigit() or int(row[roll]) < 20:
            row.append("")
            continue
        row.append(str(round(int(row[roll]) * 1.25)))
        if number in (0, 2):
            row[-1] = ("-5", "about 300")[number // 2]  # not a capacity: left empty
            bad_capacity.append(row[0])
        elif number % 2:
            original[row[0]] = int(row[roll])
            row[roll] = ""
    write_rows(raw / "schools.csv", header, rows)
    assert len(original) > 50
    result, output, db = stage(raw, tmp_path, "+int_school_rolls")
    assert result.returncode == 0, output[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        rolls = {
            str(urn): (source, pupils)
            for urn, source, pupils in con.execute(
                "select urn, roll_source, pupils_on_roll from intermediate.int_school_rolls"
            ).fetchall()
        }
    urns = [row[0] for row in rows]
    stood_in = [urn for urn in original if urn in rolls and urns.count(urn) == 1]
    assert len(stood_in) > 50
    assert {rolls[urn][0] for urn in stood_in} == {"capacity"}
    assert bad_capacity and {rolls[urn][0] for urn in bad_capacity} == {"gias"}
    assert all(abs(rolls[urn][1] - original[urn]) <= 1 for urn in stood_in), [
        (rolls[urn][1], original[urn]) for urn in stood_in[:5]
    ]


def test_an_open_status_in_capitals_is_open(world, tmp_path):
    """EstablishmentStatus written OPEN (a force's own export): its schools are open. They
    were taken as closed, so left out of every measure (and a file of OPEN schools stopped the
    build as having none open)."""
    raw = copy_world(world, tmp_path)
    path = raw / "schools.csv"
    header, rows = rows_of(path)
    status = header.index("EstablishmentStatus (name)")
    for row in rows:
        row[status] = row[status].upper()
    write_rows(path, header, rows)
    result, output, db = stage(raw, tmp_path, "+stg_gias__schools")
    assert result.returncode == 0, output[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        marked_open, taken_as_open = con.execute(
            "select count(*) filter (where establishment_status = 'OPEN'),"
            " count(*) filter (where establishment_status = 'OPEN' and is_open)"
            " from staging.stg_gias__schools"
        ).fetchone()
    assert marked_open > 0
    assert taken_as_open == marked_open


def test_overlapping_boundaries_are_warned_about(world, tmp_path):
    """One LSOA's polygon given twice, under its own code and another: every offence and home
    in it goes to the lower code alone, and the other area's figures come out too low. The
    build warns (assert_lsoa_boundaries_do_not_overlap) and the test's rows name the two
    codes; before, nothing said so."""
    raw = copy_world(world, tmp_path)
    path = raw / "lsoa_boundaries.geojson"
    boundaries = json.loads(path.read_text(encoding="utf-8"))
    twin = json.loads(json.dumps(boundaries["features"][0]))
    twin["properties"]["LSOA21CD"] = "E01999999"
    boundaries["features"].append(twin)
    path.write_text(json.dumps(boundaries), encoding="utf-8")
    result, output, db = stage(raw, tmp_path, "+assert_lsoa_boundaries_do_not_overlap")
    assert result.returncode == 0, output[-3000:]
    assert re.search(r"WARN 1 assert_lsoa_boundaries_do_not_overlap", output), output[-3000:]
    # The test's rows name the pair (the compiled SQL is what an analyst runs to see them).
    compiled = next(
        (tmp_path / "target" / "compiled").rglob("assert_lsoa_boundaries_do_not_overlap.sql")
    )
    with duckdb.connect(str(db), read_only=True) as con:
        load_spatial(con)
        pairs = con.execute(compiled.read_text(encoding="utf-8")).fetchall()
    original = boundaries["features"][0]["properties"]["LSOA21CD"]
    assert [(a, b) for a, b, _ in pairs] == [tuple(sorted([original, "E01999999"]))]


def test_two_boundary_files_stop_the_build_naming_both(world, tmp_path):
    """An old lsoa_boundaries.geojson left beside a new lsoa_boundaries.gpkg: the GeoJSON
    (first by name) was read and the GeoPackage ignored, with no word. Now the build stops,
    naming both. (The check looks at names only, so the second file's content does not
    matter here.)"""
    raw = copy_world(world, tmp_path)
    shutil.copyfile(raw / "lsoa_boundaries.geojson", raw / "lsoa_boundaries.gpkg")
    result, output, _ = stage(raw, tmp_path, "+stg_ons__lsoa_boundaries")
    assert_clear_failure(
        result,
        output,
        r"has 2 files for lsoa_boundaries\.\* \(lsoa_boundaries\.geojson,"
        r" lsoa_boundaries\.gpkg\), and only one is read",
    )


def test_offences_mostly_rejected_say_so_before_what_is_left(world, tmp_path):
    """Most timestamps unreadable, and every crime cancelled besides: the message is the
    share rejected (what to fix first), not that every staged crime is cancelled, which the
    check after it would say about the few rows left. (Both checks stop the build; the
    second used to be evaluated first.)"""
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / "offences.csv")
    committed, status = header.index("committed_from"), header.index("status")
    for number, row in enumerate(rows):
        if len(row) > status:
            row[status] = "cancelled"
        if number % 10:  # 90% of rows
            row[committed] = row[committed].replace("-", "/")
    write_rows(raw / "offences.csv", header, rows)
    result, output, _ = stage(raw, tmp_path, "+stg_police__offences")
    assert_clear_failure(
        result, output, r"offences\.csv: \d+ of \d+ rows \(9\d\.\d%\) were rejected"
    )
    assert "has status cancelled" not in output


def test_a_long_form_population_age_of_90_plus_is_90(world, tmp_path):
    """The long-form population with the top age written 90+ (as ONS writes it, and as the
    wide form's column is named): it is age 90, 90 and over. Every LSOA's 90+ row was
    rejected as unparseable_age, about 1% of the rows, under the warning share: the oldest
    residents were dropped from every rate's denominator with no warning."""
    raw = copy_world(world, tmp_path)
    path = raw / "lsoa_population.csv"
    header, rows = rows_of(path)
    age = header.index("age")
    for row in rows:
        if row[age] == "90":
            row[age] = "90+"
    write_rows(path, header, rows)
    result, output, db = stage(raw, tmp_path, "+stg_ons__lsoa_population")
    assert result.returncode == 0, output[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        rejected, aged_90 = con.execute(
            "select count(*) filter (where reject_reason = 'unparseable_age'),"
            " count(*) filter (where reject_reason is null and age = 90)"
            " from staging.base_ons__lsoa_population"
        ).fetchone()
    assert rejected == 0
    assert aged_90 == sum(row[age] == "90+" for row in rows)


def recode_persons(raw: Path, codings: dict[str, dict[str, str]]) -> None:
    """offence_persons.csv with each column of `codings` rewritten value by value (a value
    not in its coding is left as it is)."""
    path = raw / "offence_persons.csv"
    header, rows = rows_of(path)
    for column, coding in codings.items():
        position = header.index(column)
        for row in rows:
            if len(row) > position:
                row[position] = coding.get(row[position], row[position])
    write_rows(path, header, rows)


def test_person_values_in_common_other_codings_are_read(world, build, tmp_path):
    """sex written Male/Female/Not known, and ethnicity as the 16+1 codes and the census
    names of the groups, as force systems export them: every person row stages as from the
    contract's codes (they were rejected, and the build stopped)."""
    raw = copy_world(world, tmp_path)
    recode_persons(
        raw,
        {
            "sex": {"M": "Male", "F": "female", "U": "Not known"},
            "ethnicity": {
                "White": "W1",
                "Black": "Black, Black British, Black Welsh, Caribbean or African",
                "Asian": "A2",
                "Mixed": "White and Black Caribbean",
                "Other": "Other ethnic group",
            },
        },
    )
    result, output, db = stage(raw, tmp_path, "+stg_police__offence_persons")
    assert result.returncode == 0, output[-3000:]
    query = (
        "select coalesce(sex, '-'), coalesce(ethnicity, '-'), reject_reason, count(*)"
        " from staging.base_police__offence_persons group by all order by all"
    )
    with duckdb.connect(str(db), read_only=True) as con:
        recoded = con.execute(query).fetchall()
    with duckdb.connect(str(build.db_path), read_only=True) as con:
        contract = con.execute(query).fetchall()
    assert recoded == contract


def test_column_names_written_for_people_are_read(world, build, tmp_path):
    """An offences file whose header is written for people (`Crime Ref`, `Ho-Offence Code`,
    as reporting tools label columns) stages exactly as the contract's snake_case names do."""
    raw = copy_world(world, tmp_path)
    path = raw / "offences.csv"
    header, rows = rows_of(path)
    people = [name.replace("_", " ").title() for name in header]
    people[header.index("ho_offence_code")] = "Ho-Offence Code "
    write_rows(path, people, rows)
    result, output, db = stage(raw, tmp_path, "+stg_police__offences")
    assert result.returncode == 0, output[-3000:]
    query = "select * exclude (source_row_number) from staging.base_police__offences order by all"
    with duckdb.connect(str(db), read_only=True) as con:
        read = con.execute(query).fetchall()
    with duckdb.connect(str(build.db_path), read_only=True) as con:
        contract = con.execute(query).fetchall()
    assert read == contract and len(read) > 1000


@pytest.mark.parametrize(
    "column, values, phrase",
    [
        ("sex", {"M": "1", "F": "2", "U": "0"}, r"sex must be M, F or U"),
        (
            "ethnicity",
            {"White": "IC1", "Black": "IC3", "Asian": "IC4", "Mixed": "IC3", "Other": "IC6"},
            r"ethnicity must be one of the ONS 5",
        ),
    ],
)
def test_person_values_in_another_coding_are_pointed_out(world, tmp_path, column, values, phrase):
    """sex as ONS number codes, or ethnicity as officer-defined codes (IC1-IC6, which record
    another thing than self-defined ethnicity): most rows are rejected, and the message says
    what the column must hold (it gave the reason's name only). No value of the file is
    shown."""
    raw = copy_world(world, tmp_path)
    recode_persons(raw, {column: values})
    path = raw / "offence_persons.csv"
    header, rows = rows_of(path)
    rows[0][header.index("person_ref")] = MARKER
    write_rows(path, header, rows)
    result, output, _ = stage(raw, tmp_path, "+stg_police__offence_persons")
    assert_clear_failure(
        result, output, r"offence_persons\.csv: \d+ of \d+ rows \(\d+\.\d%\) were rejected", phrase
    )
    assert_no_marker(tmp_path, output)


def test_a_term_calendar_covering_part_of_the_window_is_warned_about(world, tmp_path):
    """school_holidays.csv with the last year's holidays only: the earlier years of the
    window had no holiday at all (the August default applies only without the file), so
    their holiday weeks counted as school days, with no warning. Now a warning counts the
    years whose August has no holiday."""
    raw = copy_world(world, tmp_path)
    path = raw / "school_holidays.csv"
    header, rows = rows_of(path)
    last_year = max(row[0][:4] for row in rows)
    write_rows(path, header, [row for row in rows if row[0][:4] == last_year])
    result, output, _ = stage(raw, tmp_path, "+int_school_days")
    assert result.returncode == 0, output[-3000:]
    assert re.search(r"WARN [1-9]\d* assert_term_calendar_covers_the_window", output), output[
        -3000:
    ]


def test_msoa_and_ward_columns_left_empty_are_warned_about(world, tmp_path):
    """lsoa_lookup.csv whose header names MSOA and ward columns, every value empty: the two
    levels were gone from fct_area_violence with no warning (the check looked only at a
    lookup giving some MSOAs). Now each LSOA is listed as missing them."""
    raw = copy_world(world, tmp_path)
    path = raw / "lsoa_lookup.csv"
    header, rows = rows_of(path)
    emptied = [n for n, name in enumerate(header) if name.upper().startswith(("MSOA", "WD"))]
    for row in rows:
        for position in emptied:
            row[position] = ""
    write_rows(path, header, rows)
    result, output, _ = stage(raw, tmp_path, "+stg_ons__lsoa_lookup")
    assert result.returncode == 0, output[-3000:]
    assert re.search(r"WARN [1-9]\d* assert_every_lookup_lsoa_has_its_msoa_and_ward", output), (
        output[-3000:]
    )


def test_too_few_offences_to_rank_warn_that_the_top_is_noise(world, tmp_path):
    """One offence in a hundred (and its persons): the build goes on, but the ranks cannot be
    told apart, and the data-quality warning says so before anyone reads the top of the list."""
    raw = copy_world(world, tmp_path)
    header, rows = rows_of(raw / "offences.csv")
    kept = rows[::100]
    write_rows(raw / "offences.csv", header, kept)
    crimes = {row[header.index("crime_ref")] for row in kept}
    person_header, persons = rows_of(raw / "offence_persons.csv")
    crime = person_header.index("crime_ref")
    write_rows(
        raw / "offence_persons.csv",
        person_header,
        [row for row in persons if row[crime] in crimes],
    )
    db = tmp_path / "db.duckdb"
    result = run_script(
        "run_build.py", ["--db", str(db), "--raw-dir", str(raw)], dbt_env(raw, db, "k" * 64)
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert re.search(r"WARN 1 data_quality_top_ranks_are_told_apart_from_the_bottom_half", output)
    # said again at the end of the run, where the analyst reads, and kept in the run log
    assert re.search(
        r"data quality below its threshold: priority ranks top_rank_reaches_bottom_half: "
        r"\d+\.\d%, against a maximum of 10\.0%",
        output,
    )
    log = json.loads((tmp_path / "db.runs.jsonl").read_text().splitlines()[-1])
    assert log["quality_below_threshold"] >= 1
    with duckdb.connect(str(db), read_only=True) as con:
        share, met = con.execute(
            "select share, meets_threshold from marts.fct_data_quality"
            " where check_name = 'top_rank_reaches_bottom_half'"
        ).fetchone()
    assert share > 0.5 and met is False
