"""Make a national-size extract by tiling a synthetic extract side by side.

    python scripts/tile_extract.py --source data/raw --out data/bench/national/raw --tiles 20

England has about 33,800 LSOAs and 24,000 schools; the synthetic force area has about 1,700
LSOAs and 1,200 schools, so 20 copies laid out on a grid (each shifted far enough that no two
overlap) give a geography of national size. Every file of the extract is tiled: each copy's
LSOA, ward, MSOA and local authority codes, URNs, crime and person references are made unique
to it, and its coordinates (offences, homes, schools) are shifted with its boundaries, so a
tile is the source world moved elsewhere and the whole is one force area of national size
for benchmarking the whole build (`--geography-only` tiles only what the catchment models
read, and writes the offence files with their header only).

Synthetic data only: the source directory must hold a generator manifest (or pass --force).
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from spatial_extension import load_spatial  # noqa: E402

# Each tile moves by this much (metres): more than the synthetic region's extent (40 x 30 km).
TILE_STEP_M = (50_000, 40_000)
URN_STEP = 1_000_000
GEOGRAPHY_FILES = ("lsoa_lookup.csv", "lsoa_population.csv", "schools.csv", "pupil_residence.csv")
OFFENCE_FILES = ("offences.csv", "offence_persons.csv")


def tile_code(code: str, tile: int) -> str:
    """A code made unique per tile; tile 0 keeps the original."""
    return code if tile == 0 or not code else f"{code}T{tile:02d}"


def tile_offset(tile: int, columns: int) -> tuple[int, int]:
    return (tile % columns) * TILE_STEP_M[0], (tile // columns) * TILE_STEP_M[1]


def column_expression(column: str, tile: int, dx: int, dy: int) -> str:
    """The SQL that moves one column of one tile: codes, URNs and references made unique
    to the tile, coordinates shifted. A value that does not parse stays as it was."""
    name = column.lower()
    quoted = '"' + column.replace('"', '""') + '"'
    if tile == 0:
        return quoted
    if name.endswith("cd") or name in ("lsoa_code", "la (code)", "la_code", "home_lsoa_code"):
        return f"case when {quoted} <> '' then {quoted} || 'T{tile:02d}' end"
    if name.endswith("nm") or name == "la (name)":
        # area names unique too, so summaries by authority name keep one row per authority
        return f"case when {quoted} <> '' then {quoted} || ' T{tile:02d}' end"
    if name in ("urn", "school_urn"):
        return (
            f"coalesce(cast(try_cast({quoted} as bigint) + {tile * URN_STEP} as varchar), {quoted})"
        )
    if name in ("crime_ref", "person_ref"):
        # a person reference keeps its shape (a letter and digits), now unique to the tile
        return f"case when {quoted} <> '' then {quoted} || '{tile:02d}' end"
    for axis, shift in (("easting", dx), ("northing", dy)):
        if name in (axis, f"home_{axis}"):
            return (
                f"coalesce(cast(cast(try_cast({quoted} as double) as bigint) + {shift}"
                f" as varchar), {quoted})"
            )
    return quoted


def tile_csv(con, source: Path, out: Path, tiles: int, columns: int) -> int:
    """Every row of source once per tile, moved to the tile (in DuckDB: a national
    person file has millions of rows)."""
    con.execute(
        "create or replace view source_rows as select * from read_csv("
        f"'{source}', header = true, all_varchar = true, delim = ',', quote = '\"')"
    )
    header = [row[0] for row in con.execute("describe source_rows").fetchall()]
    if all(column_expression(c, 1, 1, 1) == column_expression(c, 0, 0, 0) for c in header):
        # nothing in it belongs to a place (school holidays): the same for every tile
        shutil.copyfile(source, out)
        return con.execute("select count(*) from source_rows").fetchone()[0]
    selects = []
    for tile in range(tiles):
        dx, dy = tile_offset(tile, columns)
        expressions = ", ".join(
            f'{column_expression(c, tile, dx, dy)} as "{c.replace(chr(34), chr(34) * 2)}"'
            for c in header
        )
        selects.append(f"select {expressions} from source_rows")
    con.execute(f"copy ({' union all '.join(selects)}) to '{out}' (header true, delimiter ',')")
    return con.execute(f"select count(*) * {tiles} from source_rows").fetchone()[0]


def tile_boundaries(source: Path, out: Path, tiles: int, columns: int) -> int:
    con = duckdb.connect()
    load_spatial(con)
    selects = []
    for tile in range(tiles):
        dx, dy = tile_offset(tile, columns)
        suffix = f"T{tile:02d}" if tile else ""
        name_suffix = f" T{tile:02d}" if tile else ""
        selects.append(
            f"select LSOA21CD || '{suffix}' as LSOA21CD, LSOA21NM || '{name_suffix}' as LSOA21NM, "
            f"st_translate(geom, {dx}, {dy}) as geom from read_source"
        )
    con.execute(f"create view read_source as select * from st_read('{source}')")
    con.execute(
        f"copy ({' union all '.join(selects)}) to '{out}' "
        "with (format gdal, driver 'GeoJSON', layer_creation_options 'WRITE_BBOX=NO')"
    )
    return con.execute(f"select count(*) from st_read('{out}')").fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="a synthetic raw directory")
    parser.add_argument("--out", type=Path, required=True, help="where to write the tiled one")
    parser.add_argument("--tiles", type=int, default=20, help="copies (default: %(default)s)")
    parser.add_argument(
        "--force", action="store_true", help="tile a directory without a generator manifest"
    )
    parser.add_argument(
        "--geography-only",
        action="store_true",
        help="tile only what the catchment models read; the offence files get a header only",
    )
    args = parser.parse_args(argv)
    if args.tiles < 1:
        parser.error("--tiles must be at least 1")
    manifest = args.source.parent / "truth" / "manifest.json"
    if not args.force and not manifest.exists() and not (args.source / "manifest.json").exists():
        parser.error(f"{args.source} has no generator manifest: tile synthetic data only")
    columns = math.ceil(math.sqrt(args.tiles))
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    con = duckdb.connect()
    if args.geography_only:
        names = list(GEOGRAPHY_FILES)
        for name in OFFENCE_FILES:
            with open(args.source / name, encoding="utf-8") as handle:
                (args.out / name).write_text(handle.readline(), encoding="utf-8")
    else:
        names = sorted(p.name for p in args.source.glob("*.csv"))
    for name in names:
        if (args.source / name).exists():
            rows = tile_csv(con, args.source / name, args.out / name, args.tiles, columns)
            print(f"[tile] {name}: {rows:,} rows", file=sys.stderr, flush=True)
    con.close()
    areas = tile_boundaries(
        args.source / "lsoa_boundaries.geojson",
        args.out / "lsoa_boundaries.geojson",
        args.tiles,
        columns,
    )
    print(f"[tile] lsoa_boundaries.geojson: {areas:,} areas", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
