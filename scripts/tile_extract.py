"""Make a national-size geography by tiling a synthetic extract side by side.

    python scripts/tile_extract.py --source data/raw --out data/bench/national/raw --tiles 20

England has about 33,800 LSOAs and 24,000 schools; the synthetic force area has about 1,700
LSOAs and 1,200 schools, so 20 copies laid out on a grid (each shifted far enough that no two
overlap, its LSOA codes, local authority codes and URNs made unique) give a geography of
national size for benchmarking the catchment models. Only what the catchment models read is
tiled: boundaries, lookup, population, schools and pupil residence. offences.csv and
offence_persons.csv are written with their header only (they are required files).

Synthetic data only: the source directory must hold a generator manifest (or pass --force).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
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
CSV_FILES = ("lsoa_lookup.csv", "lsoa_population.csv", "schools.csv", "pupil_residence.csv")


def tile_code(code: str, tile: int) -> str:
    """A code made unique per tile; tile 0 keeps the original."""
    return code if tile == 0 or not code else f"{code}T{tile:02d}"


def tile_offset(tile: int, columns: int) -> tuple[int, int]:
    return (tile % columns) * TILE_STEP_M[0], (tile // columns) * TILE_STEP_M[1]


def tile_csv(source: Path, out: Path, tiles: int, columns: int) -> int:
    with open(source, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    lower = [h.lower() for h in header]
    code_columns = [
        i
        for i, h in enumerate(lower)
        if h.endswith("cd") or h in ("lsoa_code", "la (code)", "la_code")
    ]
    urn_columns = [i for i, h in enumerate(lower) if h == "urn"]
    x_columns = [i for i, h in enumerate(lower) if h == "easting"]
    y_columns = [i for i, h in enumerate(lower) if h == "northing"]
    written = 0
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for tile in range(tiles):
            dx, dy = tile_offset(tile, columns)
            for row in rows:
                new = list(row)
                for i in code_columns:
                    new[i] = tile_code(new[i], tile)
                for i in urn_columns:
                    if new[i].isdigit():
                        new[i] = str(int(new[i]) + tile * URN_STEP)
                for i, shift in [(i, dx) for i in x_columns] + [(i, dy) for i in y_columns]:
                    with contextlib.suppress(ValueError):  # a broken value stays broken
                        new[i] = str(int(float(new[i])) + shift)
                writer.writerow(new)
                written += 1
    return written


def tile_boundaries(source: Path, out: Path, tiles: int, columns: int) -> int:
    con = duckdb.connect()
    load_spatial(con)
    selects = []
    for tile in range(tiles):
        dx, dy = tile_offset(tile, columns)
        suffix = f"T{tile:02d}" if tile else ""
        selects.append(
            f"select LSOA21CD || '{suffix}' as LSOA21CD, LSOA21NM, "
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
    for name in CSV_FILES:
        if (args.source / name).exists():
            rows = tile_csv(args.source / name, args.out / name, args.tiles, columns)
            print(f"[tile] {name}: {rows:,} rows", file=sys.stderr, flush=True)
    for name in ("offences.csv", "offence_persons.csv"):
        with open(args.source / name, encoding="utf-8") as handle:
            (args.out / name).write_text(handle.readline(), encoding="utf-8")
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
