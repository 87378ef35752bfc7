"""scripts/export_marts.py on the fixture build, read back with readers other than DuckDB:
pyogrio (GDAL) for the GeoPackages, pyarrow for (Geo)Parquet, the csv module for CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pyogrio
import pytest

import export_marts

CSV_EXTRA = {
    "fct_area_violence": ["longitude", "latitude", "geometry_wkt"],
    "fct_school_exposure": ["longitude", "latitude"],
}
SPATIAL = {
    "fct_area_violence",
    "fct_school_exposure",
    "dim_area_boundaries",
    "dim_school_locations",
}
DIMS = {"dim_area_boundaries", "dim_school_locations"}


@pytest.fixture(scope="module")
def exported(built, tmp_path_factory):
    """The export run once; with each mart's audience, columns and row count from the db."""
    out = tmp_path_factory.mktemp("exports")
    manifest = built.target_dir / "manifest.json"
    assert (
        export_marts.main(
            ["--db", str(built.db_path), "--out", str(out), "--manifest", str(manifest)]
        )
        == 0
    )
    marts = {mart.name: mart for mart in export_marts.load_marts(manifest)}
    con = built.connect()
    try:
        columns = {
            name: [row[0] for row in con.execute(f"describe marts.{name}").fetchall()]
            for name in marts
        }
        rows = {
            name: con.execute(f"select count(*) from marts.{name}").fetchone()[0] for name in marts
        }
    finally:
        con.close()
    return out, marts, columns, rows


def csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def suppressed_pairs(columns: list[str]) -> list[tuple[str, str]]:
    """(count, flag) for every `<count>_suppressed` flag whose count is a column too."""
    return [
        (col.removesuffix("_suppressed"), col)
        for col in columns
        if col.endswith("_suppressed") and col.removesuffix("_suppressed") in columns
    ]


def test_every_mart_only_in_its_audience_folder(exported):
    out, marts, _, _ = exported
    assert {mart.audience for mart in marts.values()} == {"public", "vru", "analyst"}
    for name, mart in marts.items():
        for audience in export_marts.AUDIENCES:
            present = (out / audience / f"{name}.csv").exists()
            assert present == (audience == mart.audience), (name, audience)
            assert (out / audience / f"{name}.parquet").exists() == present
    assert not (out / "public" / "vru.gpkg").exists()
    assert not (out / "analyst" / "analyst.gpkg").exists()  # no spatial analyst mart


def test_csv_rows_and_columns(exported):
    out, marts, columns, rows = exported
    for name, mart in marts.items():
        header, data = csv_rows(out / mart.audience / f"{name}.csv")
        if name in DIMS:
            expected = [c for c in columns[name] if c != "geom"] + ["geometry_wkt"]
        else:
            expected = columns[name] + CSV_EXTRA.get(name, [])
        assert header == expected, name
        assert len(data) == rows[name], name


def test_csv_coordinates(exported):
    out, *_ = exported
    _, data = csv_rows(out / "public" / "fct_area_violence.csv")
    assert all(-3.5 < float(r["longitude"]) < 0 and 51 < float(r["latitude"]) < 54 for r in data)
    assert all(r["geometry_wkt"].startswith(("POLYGON", "MULTIPOLYGON")) for r in data)


def test_parquet_rows_columns_and_crs(exported):
    out, marts, columns, rows = exported
    for name, mart in marts.items():
        path = out / mart.audience / f"{name}.parquet"
        schema = pq.read_schema(path)
        expected = columns[name] + (["geom"] if name in SPATIAL - DIMS else [])
        assert schema.names == expected, name
        assert pq.read_metadata(path).num_rows == rows[name], name
        if name in SPATIAL:
            geo = json.loads(schema.metadata[b"geo"])
            crs = geo["columns"][geo["primary_column"]]["crs"]
            assert crs["id"] == {"authority": "EPSG", "code": 27700}, name
        else:
            assert b"geo" not in (schema.metadata or {}), name


def test_geopackage_layers(exported):
    out, marts, columns, rows = exported
    for audience in ("public", "vru"):
        path = out / audience / f"{audience}.gpkg"
        layers = {row[0] for row in pyogrio.list_layers(path)}
        expected = {n for n in SPATIAL if marts[n].audience == audience}
        assert layers == expected, audience
        for name in layers:
            info = pyogrio.read_info(path, layer=name)
            assert info["crs"] == "EPSG:27700", name
            assert info["features"] == rows[name], name
            fields = [c for c in columns[name] if c != "geom"]
            assert list(info["fields"]) == fields, name


def test_suppressed_cells_stay_null(exported):
    out, marts, columns, _ = exported
    checked = 0
    for name, mart in marts.items():
        pairs = suppressed_pairs(columns[name])
        if not pairs:
            continue
        folder = out / mart.audience
        _, data = csv_rows(folder / f"{name}.csv")
        table = pq.read_table(folder / f"{name}.parquet").to_pylist()
        layers = (
            [pyogrio.read_arrow(folder / f"{mart.audience}.gpkg", layer=name)[1].to_pylist()]
            if name in SPATIAL
            else []
        )
        for count, flag in pairs:
            for row in data:
                if row[flag] == "true":
                    assert row[count] == "", (name, count)
                    checked += 1
            for source in [table, *layers]:
                for row in source:
                    if row[flag]:
                        assert row[count] is None, (name, count)
    assert checked > 0, "the fixture world suppresses no cell: the test checks nothing"


def test_data_dictionary_lists_every_column(exported):
    out, marts, columns, _ = exported
    for audience in export_marts.AUDIENCES:
        _, entries = csv_rows(out / audience / "data-dictionary.csv")
        markdown = (out / audience / "data-dictionary.md").read_text(encoding="utf-8")
        listed = {(e["table"], e["column"]) for e in entries}
        for name, mart in marts.items():
            if mart.audience != audience:
                assert all(e["table"] != name for e in entries), (audience, name)
                continue
            assert f"## {name}" in markdown
            for column in columns[name]:
                assert (name, column) in listed, (name, column)
                assert f"| {column} |" in markdown, (name, column)


def test_public_folder_names_no_school(exported):
    out, *_ = exported
    public = out / "public"
    names = set()
    for path in public.glob("*.csv"):
        names |= set(csv_rows(path)[0])
    for path in public.glob("*.parquet"):
        names |= set(pq.read_schema(path).names)
    for layer, _ in pyogrio.list_layers(public / "public.gpkg"):
        names |= set(pyogrio.read_info(public / "public.gpkg", layer=layer)["fields"])
    assert not names & {"urn", "school_name"}
    _, entries = csv_rows(public / "data-dictionary.csv")
    assert not {e["column"] for e in entries} & {"urn", "school_name"}


def test_missing_database_is_a_clear_error(tmp_path, capsys):
    code = export_marts.main(["--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path)])
    assert code == 2
    assert "make build" in capsys.readouterr().err
