"""Geography inputs in the forms a force may hand over: the ONS wide population form, national
lookup and deprivation files, and the three boundary formats in either CRS."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import World, dbt_env, run_dbt
from spatial_extension import load_spatial

# The seeds too: every base model's reasons are tested against seed reject_reasons.
ONS_AND_IMD = [
    "--select",
    "path:models/staging/ons",
    "path:models/staging/mhclg",
    "resource_type:seed",
]
BOUNDARY_MODELS = [
    "--select",
    "base_ons__lsoa_boundaries",
    "stg_ons__lsoa_boundaries",
    "stg_ons__lsoa_boundaries_rejects",
    "resource_type:seed",
]


def copy_raw(world: World, tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(world.raw_dir, raw)
    return raw


def build_staging(raw: Path, tmp_path: Path, selection: list[str]):
    """dbt build (models and their tests, not unit tests) of the selected staging models."""
    db_path = tmp_path / "geography.duckdb"
    result = run_dbt(
        [
            "build",
            *selection,
            "--indirect-selection",
            "cautious",
            "--exclude-resource-type",
            "unit_test",
        ],
        dbt_env(raw, db_path, key=None),
        tmp_path / "target",
        tmp_path / "logs",
    )
    return result, db_path


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db_path), read_only=True)
    load_spatial(con)
    return con


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])


def wide_population(long_path: Path) -> dict[str, list[int]]:
    """The fixture's long-form population as {lsoa_code: [population at ages 0..90]}."""
    wide: dict[str, list[int]] = {}
    with open(long_path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            wide.setdefault(row["lsoa_code"], [0] * 91)[int(row["age"])] = int(row["population"])
    return wide


# The ONS wide form, and the same file with other header spellings.
WIDE_HEADERS = {
    "ons_mid_year": ("LSOA Code", "LSOA Name", "All Ages", "90+"),
    "demographr": ("lsoa11_code", "lsoa11_name", "total_population", "90+"),
    "census_style": ("LSOA21CD", None, "total", "90"),
}


@pytest.mark.parametrize("spelling", sorted(WIDE_HEADERS))
def test_wide_population_stages_like_the_long_form(world: World, tmp_path, spelling):
    """The wide form gives the same long rows as the long form; a row with an empty age
    cell, one without a code, one outside the study area and a repeated LSOA are rejected
    whole (one reject each); a total that disagrees with the ages only warns."""
    code_column, name_column, total_column, oldest = WIDE_HEADERS[spelling]
    raw = copy_raw(world, tmp_path)
    population = wide_population(raw / "lsoa_population.csv")
    codes = sorted(population)
    header = [code_column] + ([name_column] if name_column else []) + [total_column]
    header += [str(age) for age in range(90)] + [oldest]

    def row(code, ages, total=None):
        name = [f"{code} name"] if name_column else []
        return [code, *name, sum(ages) if total is None else total, *ages]

    rows = [row(code, population[code]) for code in codes]
    blank_cell = rows[3][:]
    blank_cell[len(header) - 91 + 40] = ""  # age 40 empty: the LSOA row is rejected whole
    rows[3] = blank_cell
    rows[5] = row(codes[5], population[codes[5]], total=sum(population[codes[5]]) + 7)
    rows.append(row("", population[codes[0]]))  # no LSOA code
    rows.append(row("E01999999", population[codes[0]]))  # an LSOA outside the boundaries
    rows.append(row(codes[0].lower(), population[codes[0]]))  # codes[0] again, lower case
    write_csv(raw / "lsoa_population.csv", header, rows)

    result, db_path = build_staging(raw, tmp_path, ONS_AND_IMD)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "WARN 1 sum_matches_total_base_ons__lsoa_population_population" in output, output
    with connect(db_path) as con:
        staged = dict(
            con.execute(
                "select lsoa_code, list(population order by age)"
                " from staging.stg_ons__lsoa_population group by lsoa_code"
            ).fetchall()
        )
        rejects = con.execute(
            "select source_row_number, reject_reason, age"
            " from staging.stg_ons__lsoa_population_rejects order by source_row_number"
        ).fetchall()
    expected = {code: [float(p) for p in population[code]] for code in codes if code != codes[3]}
    assert staged == expected
    n = len(codes)
    assert rejects == [
        (4, "unparseable_population", 40),
        (n + 1, "missing_lsoa_code", 0),
        (n + 2, "outside_study_area", 0),
        (n + 3, "duplicate_lsoa_age", 0),
    ]


def test_wide_population_missing_an_age_column_fails_naming_it(world: World, tmp_path):
    raw = copy_raw(world, tmp_path)
    population = wide_population(raw / "lsoa_population.csv")
    header = ["lsoa_code", "total"] + [str(age) for age in range(91) if age != 17]
    rows = [
        [code, sum(ages)] + [p for age, p in enumerate(ages) if age != 17]
        for code, ages in population.items()
    ]
    write_csv(raw / "lsoa_population.csv", header, rows)
    result, _ = build_staging(raw, tmp_path, ["--select", "base_ons__lsoa_population"])
    assert result.returncode != 0
    assert "lsoa_population.csv (wide form): required age column '17' is missing" in (result.stdout)


def test_national_lookup_and_official_imd_file_1_are_read(world: World, tmp_path):
    """Lookup rows for LSOAs beyond the boundaries are rejected as outside the study area; the
    official IoD File 1 column names are read (its rank, with thousands separators, is not)."""
    raw = copy_raw(world, tmp_path)
    with open(raw / "lsoa_lookup.csv", newline="", encoding="utf-8") as handle:
        header, *lookup = list(csv.reader(handle))
    lookup.append(["E01999999", "Elsewhere 001A", *lookup[0][2:]])
    write_csv(raw / "lsoa_lookup.csv", header, lookup)
    with open(raw / "deprivation.csv", newline="", encoding="utf-8") as handle:
        deprivation = list(csv.DictReader(handle))
    write_csv(
        raw / "deprivation.csv",
        [
            "LSOA code (2011)",
            "LSOA name (2011)",
            "Local Authority District code (2019)",
            "Local Authority District name (2019)",
            "Index of Multiple Deprivation (IMD) Score",
            "Index of Multiple Deprivation (IMD) Rank",
            "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
        ],
        [
            [row["lsoa_code"], "x", "E08000025", "x", row["imd_score"], "29,199", row["imd_decile"]]
            for row in deprivation
        ],
    )
    result, db_path = build_staging(raw, tmp_path, ONS_AND_IMD)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    with connect(db_path) as con:
        assert con.execute(
            "select source_row_number, reject_reason from staging.stg_ons__lsoa_lookup_rejects"
        ).fetchall() == [(len(lookup), "outside_study_area")]
        staged = con.execute(
            "select count(*), count(imd_score), count(imd_decile)"
            " from staging.stg_mhclg__deprivation"
        ).fetchone()
    assert staged == (len(deprivation),) * 3


# Boundary file variants: (file name, SQL over the fixture's features `f` (lsoa code, name,
# geom in EPSG:27700) giving the layer to write, COPY options).
TO_4326 = "st_transform(geom, 'EPSG:27700', 'EPSG:4326', always_xy := true)"
BOUNDARY_VARIANTS = {
    "geopackage_27700": (
        "lsoa_boundaries.gpkg",
        "select LSOA21CD, LSOA21NM, geom from f",
        "format gdal, driver 'GPKG', srs 'EPSG:27700'",
    ),
    "geopackage_4326": (
        "lsoa_boundaries.gpkg",
        f"select LSOA21CD, LSOA21NM, {TO_4326} as geom from f",
        "format gdal, driver 'GPKG', srs 'EPSG:4326'",
    ),
    "geojson_4326": (
        "lsoa_boundaries.geojson",
        f"select LSOA21CD, LSOA21NM, {TO_4326} as geom from f",
        "format gdal, driver 'GeoJSON', srs 'EPSG:4326'",
    ),
    "geoparquet_27700": (
        "lsoa_boundaries.parquet",
        "select LSOA21CD, LSOA21NM, geom from f",
        "format parquet",
    ),
    # GeoPandas names the column `geometry`, and LSOA11 layers carry other code columns.
    "geoparquet_4326_geometry": (
        "lsoa_boundaries.parquet",
        f"select LSOA21CD as LSOA11CD, LSOA21NM as LSOA11NM, {TO_4326} as geometry from f",
        "format parquet",
    ),
    # Plain Parquet with WKB, without GeoParquet metadata.
    "parquet_wkb_27700": (
        "lsoa_boundaries.parquet",
        "select LSOA21CD as lsoa_code, st_aswkb(geom) as geometry from f",
        "format parquet",
    ),
}


@pytest.mark.parametrize("variant", sorted(BOUNDARY_VARIANTS))
def test_boundary_formats_and_crs_give_the_same_lsoas(world: World, tmp_path, variant):
    """The fixture's GeoJSON (EPSG:27700) rewritten as GeoPackage, GeoParquet or Parquet, in
    EPSG:27700 or 4326, stages the same LSOAs with the same areas."""
    file_name, layer, options = BOUNDARY_VARIANTS[variant]
    raw = copy_raw(world, tmp_path)
    original = raw / "lsoa_boundaries.geojson"
    con = duckdb.connect()
    load_spatial(con)
    con.execute(f"create table f as select * from st_read('{original}')")
    expected = dict(
        con.execute("select LSOA21CD, st_area(st_makevalid(geom)) / 1e6 from f").fetchall()
    )
    con.execute(f"copy ({layer}) to '{tmp_path / file_name}' ({options})")
    con.close()
    original.unlink()
    shutil.move(tmp_path / file_name, raw / file_name)

    result, db_path = build_staging(raw, tmp_path, BOUNDARY_MODELS)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    with connect(db_path) as con:
        staged = dict(
            con.execute(
                "select lsoa_code, area_km2 from staging.stg_ons__lsoa_boundaries"
            ).fetchall()
        )
        crs = con.execute(
            "select distinct source_crs from staging.stg_ons__lsoa_boundaries"
        ).fetchall()
        rejected = con.execute(
            "select count(*) from staging.stg_ons__lsoa_boundaries_rejects"
        ).fetchone()[0]
    assert crs == [("EPSG:4326" if "4326" in variant else "EPSG:27700",)]
    assert rejected == 0
    assert staged.keys() == expected.keys()
    # A round trip through longitude/latitude moves vertices by millimetres.
    tolerance = 1e-4 if "4326" in variant else 1e-9
    worst = max(abs(staged[code] / expected[code] - 1) for code in expected)
    assert worst < tolerance, f"area differs by up to {worst:.2e} of an LSOA's area"
