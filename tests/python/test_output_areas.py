"""The output-area level of fct_area_violence (issue 14, item 5), on a small world whose
generator also wrote oa_boundaries.geojson and oa_population.csv (--output-areas): each
fictional LSOA cut into 4-6 wedges, and the true output area of every offence from its angle
around the LSOA's centroid, not from any polygon test.

One build of that world serves the module. Without the two files (the fixture world) the mart
has no oa rows, which the other modules' builds show."""

from __future__ import annotations

import csv
import json
import secrets
import shutil
from pathlib import Path

import pytest

from conftest import Build, dbt_env, generate_world, run_dbt

SEED = "13"


@pytest.fixture(scope="module")
def oa_build(tmp_path_factory) -> Build:
    work = tmp_path_factory.mktemp("output_areas")
    world = generate_world(work, "0.02", SEED, "--output-areas")
    key = secrets.token_hex(32)
    db_path = work / "school_exposure.duckdb"
    target_dir, log_dir = work / "target", work / "logs"
    result = run_dbt(["build"], dbt_env(world.raw_dir, db_path, key), target_dir, log_dir)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail("dbt build failed on the output-area world:\n" + output[-6000:])
    return Build(world, db_path, target_dir, log_dir, key, result.returncode, output)


def test_every_output_area_is_a_published_row_inside_its_lsoa(oa_build: Build):
    con = oa_build.connect()
    staged = con.execute("select count(*) from staging.stg_ons__oa_boundaries").fetchone()[0]
    manifest = json.loads((oa_build.world.truth_dir / "manifest.json").read_text("utf-8"))
    assert (
        staged == manifest["rows"]["raw"]["oa_boundaries.geojson"] > 4 * manifest["world"]["areas"]
    )
    published = con.execute(
        "select count(*), count(lsoa_code), count(distinct lsoa_code)"
        " from marts.fct_area_violence where area_level = 'oa'"
    ).fetchone()
    lsoas = con.execute(
        "select count(*) from marts.fct_area_violence where area_level = 'lsoa'"
    ).fetchone()[0]
    assert published == (staged, staged, lsoas)
    # Each output area's polygon is on the map, and lies inside its LSOA's.
    outside = con.execute(
        """
        select count(*)
        from marts.dim_area_boundaries as oa
        inner join marts.fct_area_violence as f
            on oa.area_level = f.area_level and oa.area_code = f.area_code
        inner join marts.dim_area_boundaries as lsoa
            on lsoa.area_level = 'lsoa' and lsoa.area_code = f.lsoa_code
        where oa.area_level = 'oa'
            and st_area(st_difference(oa.geom, st_buffer(lsoa.geom, 0.5))) > 1
        """
    ).fetchone()[0]
    assert outside == 0


def test_offences_are_counted_in_their_true_output_area(oa_build: Build):
    with open(
        oa_build.world.truth_dir / "offence_output_areas.csv", newline="", encoding="utf-8"
    ) as handle:
        truth = {row["crime_ref"]: row["oa_code"] for row in csv.DictReader(handle)}
    con = oa_build.connect()
    located = con.execute(
        "select crime_ref, oa_code from intermediate.int_violent_offences_located_in_oas"
    ).fetchall()
    counted = con.execute(
        "select count(*) from intermediate.int_violent_offences_counted where lsoa_code is not null"
    ).fetchone()[0]
    assert len(located) == counted > 1000
    right = sum(truth.get(crime_ref) == oa_code for crime_ref, oa_code in located)
    # Points exactly on a cut (integer metres on a ray) may go either way.
    assert right / len(located) >= 0.995


def test_output_areas_add_up_to_their_lsoa_exactly(oa_build: Build):
    con = oa_build.connect()
    mismatched = con.execute(
        """
        with counts as (
            select counts.*, youth.youth_violent_offences, youth.resident_children
            from intermediate.int_area_violence_counts as counts
            inner join intermediate.int_area_youth_violence_counts as youth
                using (area_level, area_code)
        ),
        oas as (
            select
                lsoa_code,
                sum(violent_offences) as violent_offences,
                sum(youth_violent_offences) as youth_violent_offences,
                sum(residents) as residents,
                sum(resident_children) as resident_children
            from counts
            where area_level = 'oa'
            group by lsoa_code
        )
        select count(*)
        from counts as lsoa
        left join oas
            on lsoa.area_code = oas.lsoa_code
        where lsoa.area_level = 'lsoa'
            and (
                oas.lsoa_code is null
                or oas.violent_offences != lsoa.violent_offences
                or oas.youth_violent_offences != lsoa.youth_violent_offences
                -- the generator shares each LSOA's residents among its output areas
                or oas.residents != lsoa.residents
                or oas.resident_children != lsoa.resident_children
            )
        """
    ).fetchone()[0]
    assert mismatched == 0


def test_output_area_counts_are_disclosure_controlled(oa_build: Build):
    """The disclosure tests ran in the build; here, what they guard, on the new level."""
    con = oa_build.connect()
    small, unrounded, suppressed = con.execute(
        """
        select
            count(*) filter (where violent_offences between 1 and 9
                or youth_violent_offences between 1 and 9),
            count(*) filter (where violent_offences % 5 != 0 or youth_violent_offences % 5 != 0),
            count(*) filter (where violent_offences_suppressed or youth_violent_offences_suppressed)
        from marts.fct_area_violence
        where area_level = 'oa'
        """
    ).fetchone()
    assert (small, unrounded) == (0, 0)
    assert suppressed > 0
    # No lone suppressed output area in an LSOA whose total is published.
    lone = con.execute(
        """
        select count(*)
        from (
            select lsoa_code
            from marts.fct_area_violence
            where area_level = 'oa'
            group by lsoa_code
            having count(*) filter (where youth_violent_offences_suppressed) = 1
        ) as groups
        inner join marts.fct_area_violence as lsoa
            on lsoa.area_level = 'lsoa' and lsoa.area_code = groups.lsoa_code
        where not lsoa.youth_violent_offences_suppressed
        """
    ).fetchone()[0]
    assert lone == 0


def test_no_output_area_cell_can_be_pinned_by_an_integer_program(oa_build: Build):
    """scripts/disclosure_audit.py with output areas as the finest cells: every level's
    published cells together pin no suppressed cell to one value and give no exact total.
    A spread of 80 cells (a full audit of some 1,800 takes minutes)."""
    from disclosure_audit import audit

    result = audit(oa_build.db_path, "youth_violent_offences", max_cells=80)
    assert result.finest_level == "oa"
    assert result.suppressed > 80 and result.solved == 80
    assert not result.infeasible
    assert result.force_total_exact is None
    assert result.pinned == 0


def test_every_output_area_row_is_accounted_for(oa_build: Build):
    con = oa_build.connect()
    rows = dict(
        con.execute(
            "select source || ':' || check_name, rows_counted from marts.fct_data_quality"
            " where source in ('oa_boundaries', 'oa_population.csv')"
            " and check_name in ('rows_read', 'rows_staged', 'rows_rejected')"
        ).fetchall()
    )
    manifest = json.loads((oa_build.world.truth_dir / "manifest.json").read_text("utf-8"))
    raw = manifest["rows"]["raw"]
    assert rows["oa_boundaries:rows_read"] == raw["oa_boundaries.geojson"]
    assert rows["oa_population.csv:rows_read"] == raw["oa_population.csv"]
    assert rows["oa_boundaries:rows_rejected"] == rows["oa_population.csv:rows_rejected"] == 0


def test_oa_boundaries_without_their_population_stop_with_a_message(
    oa_build: Build, tmp_path: Path
):
    raw = tmp_path / "raw"
    shutil.copytree(oa_build.world.raw_dir, raw)
    (raw / "oa_population.csv").unlink()
    db_path = tmp_path / "school_exposure.duckdb"
    result = run_dbt(
        ["run", "--select", "+int_oa_residents"],
        dbt_env(raw, db_path, secrets.token_hex(32)),
        tmp_path / "target",
        tmp_path / "logs",
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "oa_population.csv" in output and "needs both" in output
