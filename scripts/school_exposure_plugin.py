"""dbt-duckdb plugin: prepares every DuckDB connection dbt opens for this project.

- loads the spatial and encodings extensions that set-up installed (never downloads them);
- registers `pseudonymisation_key_pad(kind) -> blob`, HMAC-SHA256's inner or outer padded
  key, from which macro `pseudonymise` hashes person references in SQL (DuckDB's sha256 runs
  on every thread; a Python function of the references held one thread, about 60 s of the
  national build). Null without a usable key: the key is read lazily, on the first call, so
  dbt commands that never touch person data (docs, parse, seeds) work without one, and the
  staging model stops on `pseudonymisation_key_problem()` first;
- registers `pseudonymisation_key_problem() -> text`: null when a usable key is set, else what
  is wrong, which the staging model turns into a plain SQL error (a Python exception inside a
  function would come with a stack trace);
- registers `gamma_quantile(p, shape, rate)` and `gamma_cdf(x, shape, rate)`, the gamma
  distribution's quantile and distribution functions (scipy), which DuckDB lacks: the
  empirical-Bayes rate intervals, exact Poisson intervals and the rank simulation need them
  (macros/rates/). Vectorised (Arrow);
- registers `beta_quantile(p, a, b)`, the beta distribution's quantile function (scipy), for
  the Jeffreys intervals of shares (macro share_bound);
- registers `raw_file_problem(path) -> text`: null when a raw file can be read as what its
  name says, else what it is instead (a folder, an Excel workbook or zip archive, UTF-16
  text, gzip data, a boundary file GDAL cannot read), which the ingest macros turn into a
  message naming the file and the fix (DuckDB's readers would fail later with an internal
  error, or take binary bytes for a header), or a CSV file whose lines end in two ways
  (CRLF and LF alone), which DuckDB's strict reader cannot read. It never returns a byte of
  the file's content, reads a CSV file's first bytes and searches it for line endings, and
  opens a boundary file in a connection of its own;
- registers `csv_first_line(path, encoding) -> text`: a CSV file's first non-blank line, from
  which the ingest macros take the column names. It reads the file's first lines only: DuckDB's
  reader decodes a whole Windows-1252 file before it returns a line (24 s for the national
  offences.csv, for each of the two readings of each file in every build).

Named in profiles.yml under `plugins:`; `module_paths: [scripts]` puts this folder on the path.
"""

from __future__ import annotations

import contextlib
import gzip
import re
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError
from scipy import special

from pseudonymisation import MissingKeyError, hmac_key_pads, load_key
from spatial_extension import load_encodings, load_spatial


def _lazy_key_pad():
    state: dict = {}

    def pseudonymisation_key_pad(kind: str) -> bytes | None:
        if "pads" not in state:
            try:
                state["pads"] = hmac_key_pads(load_key())
            except MissingKeyError:
                return None  # pseudonymisation_key_problem() says why
        return state["pads"].get(kind)

    return pseudonymisation_key_pad


def pseudonymisation_key_problem() -> str | None:
    try:
        load_key()
    except MissingKeyError as exc:
        return str(exc)
    return None


def _as_numpy(values: pa.Array) -> np.ndarray:
    """A float array with NaN for null."""
    return values.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)


def gamma_quantile(p: pa.Array, shape: pa.Array, rate: pa.Array) -> pa.Array:
    """Quantile of Gamma(shape, rate) at probability p. Shape 0 is the point mass at 0 (the
    lower end of an exact Poisson interval for a zero count). Null or invalid: null."""
    p, shape, rate = _as_numpy(p), _as_numpy(shape), _as_numpy(rate)
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = (p > 0) & (p < 1) & (shape >= 0) & (rate > 0)
        positive = valid & (shape > 0)
        out = np.where(valid, 0.0, np.nan)
        out[positive] = special.gammaincinv(shape[positive], p[positive]) / rate[positive]
    return pa.array(out, type=pa.float64(), from_pandas=True)


def gamma_cdf(x: pa.Array, shape: pa.Array, rate: pa.Array) -> pa.Array:
    """P(X <= x) for X ~ Gamma(shape, rate); shape 0 is the point mass at 0. Null or
    invalid: null."""
    x, shape, rate = _as_numpy(x), _as_numpy(shape), _as_numpy(rate)
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = (shape >= 0) & (rate > 0) & ~np.isnan(x)
        positive = valid & (shape > 0)
        out = np.where(valid, (x >= 0).astype(float), np.nan)
        out[positive] = special.gammainc(
            shape[positive], np.maximum(x[positive], 0) * rate[positive]
        )
    return pa.array(out, type=pa.float64(), from_pandas=True)


def beta_quantile(p: pa.Array, a: pa.Array, b: pa.Array) -> pa.Array:
    """Quantile of Beta(a, b) at probability p. Null or invalid (a or b not positive): null."""
    p, a, b = _as_numpy(p), _as_numpy(a), _as_numpy(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = (p > 0) & (p < 1) & (a > 0) & (b > 0)
        out = np.full(p.shape, np.nan)
        out[valid] = special.betaincinv(a[valid], b[valid], p[valid])
    return pa.array(out, type=pa.float64(), from_pandas=True)


SAVE_AS_CSV = "open it in Excel and save it as 'CSV UTF-8 (Comma delimited) (*.csv)'"
CSV_SIGNATURES = {
    b"PK\x03\x04": "is a zip archive (an Excel .xlsx workbook is one), not CSV text: "
    + SAVE_AS_CSV
    + ", or unzip it",
    b"\xd0\xcf\x11\xe0": "is an Excel 97-2003 workbook (.xls), not CSV text: " + SAVE_AS_CSV,
    b"\x1f\x8b": "is gzip-compressed, not CSV text: decompress it (gunzip)",
    b"\xff\xfe": "is UTF-16 text (Excel's 'Unicode Text' saves it so), not UTF-8: " + SAVE_AS_CSV,
    b"\xfe\xff": "is UTF-16 text, not UTF-8: " + SAVE_AS_CSV,
}


def _csv_head_problem(head: bytes) -> str | None:
    for signature, problem in CSV_SIGNATURES.items():
        if head.startswith(signature):
            return problem
    # UTF-16 without a byte-order mark: every other byte of its ASCII text is NUL. (One NUL
    # byte in a value is that row's problem, not the file's.)
    if head and head.count(0) > len(head) // 4:
        return "holds NUL bytes throughout: it is UTF-16 text or binary, not CSV: " + SAVE_AS_CSV
    return None


def _spatial_problem(path: Path) -> str | None:
    """What GDAL (or the Parquet reader) says when the file cannot be opened, else None."""
    reader = "read_parquet" if path.suffix == ".parquet" else "st_read"
    con = duckdb.connect()
    try:
        load_spatial(con)
        con.execute(f"describe select * from {reader}(?)", [str(path)])
    except duckdb.Error as exc:
        # DuckDB's words without its error class ("IO Error: "): the reader's own complaint
        cause = re.sub(r"^[A-Za-z ]*Error: ", "", str(exc).splitlines()[0])
        return (
            f"cannot be read as a {path.suffix.lstrip('.')} file (the reader says: {cause}):"
            " is it complete"
            " (not cut short in copying) and really in that format? Export it again"
        )
    finally:
        con.close()
    return None


LINE_END = re.compile(rb"\r\n|\r|\n")
MAX_LINE_BYTES = 100_000_000  # the ingest macros' max_line_size


def _open_raw(file: Path):
    """The file's bytes, decompressed when its name ends .gz (as DuckDB's readers read it)."""
    return (gzip.open if file.name.endswith(".gz") else open)(file, "rb")


def raw_file_problem(path: str | None) -> str | None:
    """Null when the raw file at `path` looks like what its name says, else what it is instead
    and what to do, never quoting its content (see the module's docstring)."""
    file = Path(path) if path is not None else None
    if file is None or not file.exists():
        return None  # the caller says a missing file is missing
    if file.is_dir():
        return "is a folder, not a file: put the file itself there under this name"
    if file.name.endswith((".geojson", ".gpkg", ".parquet")):
        return _spatial_problem(file)
    try:
        with _open_raw(file) as handle:
            head = handle.read(4096)
        return _csv_head_problem(head) or _line_ending_problem(file)
    except (OSError, EOFError) as exc:
        return f"cannot be read ({exc.__class__.__name__}): export it again"


LINE_ENDINGS = {b"\r\n": "CRLF (Windows)", b"\n": "LF alone (Unix)"}
BLOCK_BYTES = 1 << 24


def _line_ending_kinds(file: Path) -> set[bytes]:
    """The kinds of line ending in a file, quoted values or not; it stops as soon as it has
    seen two. One pass of byte searches: 0.13 s for the national offences.csv (0.9 GB)."""
    kinds: set[bytes] = set()
    carry = b""  # a CR that ends one block may begin a CRLF with the next
    with _open_raw(file) as handle:
        while block := handle.read(BLOCK_BYTES):
            block = carry + block
            carry = b"\r" if block.endswith(b"\r") else b""
            block = block[: len(block) - len(carry)]
            if b"\r" not in block:
                kinds.update([b"\n"] if b"\n" in block else [])
            else:
                crlf = block.count(b"\r\n")
                kinds.update(
                    kind
                    for kind, present in (
                        (b"\r\n", crlf),
                        (b"\n", block.count(b"\n") > crlf),
                        (b"\r", block.count(b"\r") > crlf),
                    )
                    if present
                )
            if len(kinds) > 1:
                break
    return kinds | ({b"\r"} if carry else set())


# Each file is checked by every model and test that reads it, in one dbt process: once is
# enough while its size and modification time stay (a CRLF file takes three byte searches,
# 1.5 s a GB).
_LINE_ENDING_PROBLEMS: dict[tuple[str, int, int], str | None] = {}


def _line_ending_problem(file: Path) -> str | None:
    stat = file.stat()
    key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _LINE_ENDING_PROBLEMS:
        _LINE_ENDING_PROBLEMS[key] = _first_line_ending_otherwise(file)
    return _LINE_ENDING_PROBLEMS[key]


def _first_line_ending_otherwise(file: Path) -> str | None:
    """Where a CSV file's rows stop ending as its first one does (CRLF, then LF alone), or
    None. DuckDB's strict CSV reader cannot read such a file: it stops with \"the CSV Parser
    state machine reached an invalid state\", or on a large file with no file name at all, and
    reading it leniently would let broken rows through. A line break inside a quoted value is
    a value's own (Excel writes LF inside the cells of a CRLF file) and is not counted, so
    only a file with two kinds of ending anywhere is read line by line."""
    if len(_line_ending_kinds(file)) < 2:
        return None
    first: tuple[int, bytes] | None = None
    in_quotes = False
    number = 0
    with _open_raw(file) as handle:
        while line := handle.readline(MAX_LINE_BYTES):
            in_quotes ^= line.count(b'"') % 2 == 1
            if not line.endswith(b"\n"):
                continue  # the last line, or a piece of a line over MAX_LINE_BYTES
            number += 1
            if in_quotes:
                continue
            ending = b"\r\n" if line.endswith(b"\r\n") else b"\n"
            if first is None:
                first = number, ending
            elif ending != first[1]:
                return (
                    "ends its lines in two ways, which the CSV reader cannot read (a file"
                    " joined from two exports, or edited on another system): line"
                    f" {first[0]:,} ends in {LINE_ENDINGS[first[1]]}, line {number:,} in"
                    f" {LINE_ENDINGS[ending]}. Convert it to one way (dos2unix on the file, or"
                    " sed -i 's/\\r$//' on it) and make the export write one way"
                )
    return None


def csv_first_line(path: str | None, encoding: str | None) -> str | None:
    """The first line of the CSV file at `path` that holds more than spaces and carriage
    returns, decoded in `encoding` ('utf-8' or 'CP1252'); null for a file without one, or when
    the line's bytes are not UTF-8 text (a header written in Windows-1252). In Windows-1252 a
    byte it leaves undefined reads as U+FFFD rather than losing the line. A .gz file is read
    decompressed, as DuckDB's reader does."""
    if path is None or encoding is None:
        return None
    file = Path(path)
    if not file.is_file():
        return None
    with _open_raw(file) as handle:
        while line := handle.readline(MAX_LINE_BYTES):
            # A carriage return alone ends a line too, as it does for DuckDB's reader.
            parts = [part for part in LINE_END.split(line) if part.strip(b" \r")]
            if parts:
                break
        else:
            return None
    line = parts[0]
    try:
        return line.decode(encoding, errors="strict" if encoding.lower() == "utf-8" else "replace")
    except UnicodeDecodeError:
        return None


def database_in_use_problem(path: str) -> str | None:
    """A plain message when another process holds `path` (DuckDB allows one writer), else
    None. DuckDB's own error surfaces inside a long traceback."""
    try:
        duckdb.connect(path).close()
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        holder = re.search(r"held in (.+?) \(PID (\d+)\)", str(exc))
        by = f" by {Path(holder.group(1)).name} (process {holder.group(2)})" if holder else ""
        return (
            f"The database {path} is open in another program{by}, so this build cannot "
            "write it. Close that program's connection (a BI or GIS tool, a notebook, "
            "another build), or build through `make run`, which builds a new file and "
            'swaps it in when it is complete (README, "Reading the results").'
        )
    return None


class Plugin(BasePlugin):
    def update_connection_config(self, creds, config):
        # DuckDB creates the database file but not its folder (data/ on a fresh clone).
        if creds.path and creds.path != ":memory:" and "://" not in creds.path:
            Path(creds.path).parent.mkdir(parents=True, exist_ok=True)
            problem = database_in_use_problem(creds.path)
            if problem:
                raise DbtRuntimeError(problem)

    def configure_connection(self, conn):
        load_spatial(conn)
        load_encodings(conn)
        # dbt-duckdb may configure the same database more than once; functions are
        # database-wide, so replace rather than fail on "already exists".
        functions = {
            "gamma_quantile": gamma_quantile,
            "gamma_cdf": gamma_cdf,
            "beta_quantile": beta_quantile,
        }
        for name in (
            "pseudonymisation_key_pad",
            "pseudonymisation_key_problem",
            "raw_file_problem",
            "csv_first_line",
            *functions,
        ):
            with contextlib.suppress(Exception):  # not registered yet
                conn.remove_function(name)
        conn.create_function(
            "pseudonymisation_key_problem",
            pseudonymisation_key_problem,
            [],
            "VARCHAR",
            null_handling="special",
            side_effects=False,
        )
        conn.create_function(
            "raw_file_problem",
            raw_file_problem,
            ["VARCHAR"],
            "VARCHAR",
            null_handling="special",
            side_effects=True,  # the file may change between calls
        )
        conn.create_function(
            "csv_first_line",
            csv_first_line,
            ["VARCHAR", "VARCHAR"],
            "VARCHAR",
            null_handling="special",
            side_effects=True,  # the file may change between calls
        )
        conn.create_function(
            "pseudonymisation_key_pad",
            _lazy_key_pad(),
            ["VARCHAR"],
            "BLOB",
            null_handling="special",
            side_effects=False,
        )
        for name, function in functions.items():
            conn.create_function(
                name,
                function,
                ["DOUBLE", "DOUBLE", "DOUBLE"],
                "DOUBLE",
                type="arrow",
                # Nulls reach the function (as NaN) and invalid input returns null.
                null_handling="special",
                side_effects=False,
            )


if __name__ == "__main__":
    import argparse
    import sys

    argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Not a command: dbt loads it through profiles.yml (plugins:). Run dbt, or "
        "`make build` / `make run`.",
    ).parse_args()
    sys.exit("school_exposure_plugin.py is loaded by dbt, not run: see --help.")
