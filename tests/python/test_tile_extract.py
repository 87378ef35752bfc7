"""scripts/tile_extract.py: a tiled extract is the source world repeated, each copy moved and
its codes, URNs and references made unique to it, so the whole is one larger force area."""

from __future__ import annotations

import duckdb

from conftest import World, run_script

TILES = 3


def keys(rows: list[dict], *columns: str) -> set[tuple]:
    """The distinct present values (a malformed row may have none)."""
    return {tuple(row[c] for c in columns) for row in rows if all(row[c] for c in columns)}


def read(path) -> list[dict]:
    con = duckdb.connect()
    cursor = con.execute(f"select * from read_csv('{path}', all_varchar = true, header = true)")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_every_file_is_tiled_with_unique_keys_and_moved_points(world: World, tmp_path):
    out = tmp_path / "tiled"
    result = run_script(
        "tile_extract.py",
        ["--source", str(world.raw_dir), "--out", str(out), "--tiles", str(TILES)],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("offences.csv", "offence_persons.csv", "schools.csv", "lsoa_lookup.csv"):
        assert len(read(out / name)) == TILES * len(read(world.raw_dir / name)), name
    # the calendar belongs to no place: one copy
    assert len(read(out / "school_holidays.csv")) == len(
        read(world.raw_dir / "school_holidays.csv")
    )
    offences = read(out / "offences.csv")
    source_offences = read(world.raw_dir / "offences.csv")
    assert len(keys(offences, "crime_ref")) == TILES * len(keys(source_offences, "crime_ref"))
    persons, source_persons = (
        read(out / "offence_persons.csv"),
        read(world.raw_dir / "offence_persons.csv"),
    )
    assert len(keys(persons, "person_ref")) == TILES * len(keys(source_persons, "person_ref"))
    # a person's rows stay together: the same tiled reference on the same tiled crimes
    assert len(keys(persons, "crime_ref", "person_ref")) == TILES * len(
        keys(source_persons, "crime_ref", "person_ref")
    )
    schools = read(out / "schools.csv")
    source_schools = read(world.raw_dir / "schools.csv")
    assert len(keys(schools, "URN")) == TILES * len(keys(source_schools, "URN"))
    lookup = read(out / "lsoa_lookup.csv")
    source_lookup = read(world.raw_dir / "lsoa_lookup.csv")
    assert len(keys(lookup, "LSOA21CD")) == TILES * len(keys(source_lookup, "LSOA21CD"))
    assert len(keys(lookup, "LAD24NM")) == TILES * len(keys(source_lookup, "LAD24NM"))
    # each tile's offence points lie apart from the others' (moved with their boundaries)
    eastings = [int(row["easting"]) for row in offences if (row["easting"] or "").isdigit()]
    assert max(eastings) - min(eastings) > 50_000
