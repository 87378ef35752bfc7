#!/usr/bin/env python3
"""Export every mart by its audience (the manifest's config.meta.audience) for Excel, Power BI
and GIS users: CSV, (Geo)Parquet, one GeoPackage per audience and a data dictionary.

    python scripts/export_marts.py --db DB --out DIR [--manifest target/manifest.json]
                                   [--audience public vru analyst]

Writes DIR/<audience>/: <mart>.csv, <mart>.parquet (GeoParquet for the spatial marts, CRS
EPSG:27700 in the `geo` metadata), <audience>.gpkg (a layer per spatial mart) and
data-dictionary.md / .csv. A mart lands only in its own audience's folder, so a public folder
never holds a VRU or analyst table. Suppressed cells are null in the marts and stay null here:
every format writes a null as a null (an empty CSV cell), never as 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR / "scripts"))

AUDIENCES = ("public", "vru", "analyst")
CRS = "EPSG:27700"
TO_WGS84 = "'EPSG:27700', 'EPSG:4326', always_xy := true"

# The spatial marts: each fact joins its geometry dim on these keys; the dims carry geom.
GEOMETRY_SOURCE = {
    "fct_area_violence": ("dim_area_boundaries", ("area_level", "area_code")),
    "fct_school_exposure": ("dim_school_locations", ("urn",)),
}
GEOMETRY_DIMS = ("dim_area_boundaries", "dim_school_locations")


class ExportError(RuntimeError):
    """The export cannot run; the message names the file and the fix."""


@dataclass(frozen=True)
class Mart:
    name: str
    audience: str
    description: str
    columns: dict[str, str]  # column name -> description, from the manifest

    @property
    def spatial(self) -> bool:
        return self.name in GEOMETRY_SOURCE or self.name in GEOMETRY_DIMS


def log(message: str) -> None:
    print(f"[export] {message}", file=sys.stderr)


def load_marts(manifest_path: Path) -> list[Mart]:
    """The marts of the manifest with their audience and column docs."""
    if not manifest_path.is_file():
        raise ExportError(
            f"No dbt manifest at {manifest_path}. Run `make build` (or `dbt docs generate`) first."
        )
    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"].values()
    marts = []
    for node in nodes:
        if node.get("resource_type") != "model" or "marts" not in node.get("fqn", []):
            continue
        meta = node.get("config", {}).get("meta") or node.get("meta") or {}
        audience = meta.get("audience")
        if audience not in AUDIENCES:
            # An undeclared audience is never guessed: exporting it anywhere could leak it.
            raise ExportError(
                f"Mart {node['name']} in {manifest_path} declares no audience "
                f"({audience!r}); set config.meta.audience in its YAML and rebuild."
            )
        columns = {name: col.get("description", "") for name, col in node["columns"].items()}
        marts.append(Mart(node["name"], audience, node.get("description", ""), columns))
    return sorted(marts, key=lambda mart: mart.name)


def connect(db_path: Path):
    if not db_path.is_file():
        raise ExportError(f"No database at {db_path}. Run `make build` first.")
    import duckdb

    from spatial_extension import load_spatial

    con = duckdb.connect(str(db_path), read_only=True)
    load_spatial(con)
    return con


def join_clause(mart: str) -> str:
    dim, keys = GEOMETRY_SOURCE[mart]
    on = " and ".join(f"m.{key} = g.{key}" for key in keys)
    # A left join: a mart row without geometry is still exported, with null geometry.
    return f"marts.{mart} as m left join marts.{dim} as g on {on}"


def csv_query(mart: str) -> str:
    """The mart for spreadsheets: geometry as WKT and longitude/latitude, no binary column."""
    if mart == "fct_area_violence":
        centroid = f"st_transform(st_centroid(g.geom), {TO_WGS84})"
        return (
            f"select m.*, st_x({centroid}) as longitude, st_y({centroid}) as latitude, "
            f"st_astext(g.geom) as geometry_wkt from {join_clause(mart)}"
        )
    if mart == "fct_school_exposure":
        return f"select m.*, g.longitude, g.latitude from {join_clause(mart)}"
    if mart in GEOMETRY_DIMS:
        return f"select * exclude (geom), st_astext(geom) as geometry_wkt from marts.{mart}"
    return f"select * from marts.{mart}"


def geo_query(mart: str, wkb: bool = False) -> str:
    """The mart with its geometry as geom: tagged EPSG:27700 (so DuckDB writes the PROJJSON
    into GeoParquet's metadata), or as WKB for GDAL."""
    geom = "st_aswkb(g.geom)" if wkb else f"st_setcrs(g.geom, '{CRS}')"
    return f"select m.*, {geom} as geom from {join_clause(mart)}"


def dim_geo_query(mart: str, wkb: bool) -> str:
    geom = "st_aswkb(geom)" if wkb else f"st_setcrs(geom, '{CRS}')"
    return f"select * exclude (geom), {geom} as geom from marts.{mart}"


def spatial_query(mart: str, wkb: bool = False) -> str:
    return dim_geo_query(mart, wkb) if mart in GEOMETRY_DIMS else geo_query(mart, wkb)


def sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_csv(con, mart: Mart, folder: Path) -> None:
    # DuckDB writes a null as an empty field, so a suppressed cell is never read back as 0.
    con.execute(
        f"copy ({csv_query(mart.name)}) to {sql_path(folder / f'{mart.name}.csv')} (header)"
    )


def export_parquet(con, mart: Mart, folder: Path) -> None:
    query = spatial_query(mart.name) if mart.spatial else f"select * from marts.{mart.name}"
    con.execute(f"copy ({query}) to {sql_path(folder / f'{mart.name}.parquet')} (format parquet)")


def export_gpkg(con, marts: list[Mart], path: Path) -> None:
    """One layer per spatial mart. DuckDB's GDAL COPY replaces the whole file on every call,
    so the layers are written with pyogrio from the WKB instead."""
    import pyogrio

    path.unlink(missing_ok=True)
    for mart in marts:
        table = con.execute(spatial_query(mart.name, wkb=True)).to_arrow_table()
        pyogrio.write_arrow(
            table,
            path,
            layer=mart.name,
            driver="GPKG",
            geometry_name="geom",
            geometry_type="Unknown",  # unions can be Polygon or MultiPolygon
            crs=CRS,
        )


def dictionary_rows(con, mart: Mart) -> list[dict[str, str]]:
    """Every column the CSV export of the mart holds, with its DuckDB type and its doc."""
    described = con.execute(f"describe {csv_query(mart.name)}").fetchall()
    extra = {
        "longitude": "Longitude (WGS84) of the area's centroid or the school's point.",
        "latitude": "Latitude (WGS84) of the area's centroid or the school's point.",
        "geometry_wkt": f"Geometry as WKT in {CRS} (British National Grid).",
        "geom": f"Geometry in {CRS} (Parquet and GeoPackage exports).",
    }
    names = [row[0] for row in described]
    types = {row[0]: row[1] for row in described}
    if mart.spatial:
        names.append("geom")
        types["geom"] = "GEOMETRY"
    return [
        {
            "table": mart.name,
            "audience": mart.audience,
            "table_description": " ".join(mart.description.split()),
            "column": name,
            "type": types[name],
            "description": " ".join((mart.columns.get(name) or extra.get(name, "")).split()),
        }
        for name in names
    ]


def write_dictionary(rows: list[dict[str, str]], folder: Path, audience: str) -> None:
    with open(folder / "data-dictionary.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = [f"# Data dictionary: {audience} exports", ""]
    for table in dict.fromkeys(row["table"] for row in rows):
        table_rows = [row for row in rows if row["table"] == table]
        lines += [f"## {table}", "", f"Audience: `{audience}`", ""]
        lines += [table_rows[0]["table_description"] or "(no description)", ""]
        lines += ["| column | type | description |", "| --- | --- | --- |"]
        lines += [
            f"| {r['column']} | {r['type']} | {r['description'].replace('|', '/')} |"
            for r in table_rows
        ]
        lines.append("")
    (folder / "data-dictionary.md").write_text("\n".join(lines), encoding="utf-8")


def export_audience(con, audience: str, marts: list[Mart], out: Path) -> None:
    folder = out / audience
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for mart in marts:
        log(f"{audience}/{mart.name}: csv, parquet")
        export_csv(con, mart, folder)
        export_parquet(con, mart, folder)
        rows += dictionary_rows(con, mart)
    spatial = [mart for mart in marts if mart.spatial]
    if spatial:
        log(f"{audience}/{audience}.gpkg: {', '.join(m.name for m in spatial)}")
        export_gpkg(con, spatial, folder / f"{audience}.gpkg")
    if rows:
        write_dictionary(rows, folder, audience)


def export(db: Path, out: Path, manifest: Path, audiences: list[str]) -> None:
    marts = load_marts(manifest)
    con = connect(db)
    try:
        for audience in audiences:
            chosen = [mart for mart in marts if mart.audience == audience]
            export_audience(con, audience, chosen, out)
    finally:
        con.close()
    log(f"done: {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--manifest", type=Path, default=PROJECT_DIR / "target" / "manifest.json")
    parser.add_argument("--audience", nargs="+", choices=AUDIENCES, default=list(AUDIENCES))
    args = parser.parse_args(argv)
    try:
        export(args.db, args.out, args.manifest, args.audience)
    except ExportError as error:
        print(f"[export] error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
