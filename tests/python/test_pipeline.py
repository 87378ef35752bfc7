"""The pipeline end to end on the fixture world, checked against the generator's ground truth."""

from __future__ import annotations

import csv
import shutil

import duckdb
import pytest

from conftest import PROJECT_DIR, Build, dbt_env, project_vars, run_dbt
from pseudonymisation import make_pseudonymiser

# Raw file -> (rejects table, key column in the truth)
REJECTS = {
    "offences.csv": "staging.stg_police__offences_rejects",
    "offence_persons.csv": "staging.stg_police__offence_persons_rejects",
    "schools.csv": "staging.stg_gias__schools_rejects",
}
STAGED = {
    "offences.csv": "staging.stg_police__offences",
    "offence_persons.csv": "staging.stg_police__offence_persons",
    "schools.csv": "staging.stg_gias__schools",
    "lsoa_lookup.csv": "staging.stg_ons__lsoa_lookup",
    "lsoa_population.csv": "staging.stg_ons__lsoa_population",
    "lsoa_ethnicity.csv": "staging.stg_ons__lsoa_ethnicity",
    "pupil_residence.csv": "staging.stg_dfe__pupil_residence",
    "deprivation.csv": "staging.stg_mhclg__deprivation",
    "vru_schools.csv": "staging.stg_vru__vru_schools",
    "school_holidays.csv": "staging.stg_vru__school_holidays",
}


def data_rows(path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def test_dbt_build_passes_every_model_and_test(build: Build):
    assert build.returncode == 0, build.output[-6000:]
    assert "Completed successfully" in build.output


@pytest.mark.parametrize("file_name", sorted(REJECTS))
def test_injected_bad_rows_are_exactly_the_rejected_rows(built: Build, file_name: str):
    """Every bad row the generator injected is rejected with its reason; no clean row is."""
    with open(built.world.truth_dir / "bad_rows.csv", newline="", encoding="utf-8") as handle:
        expected = {
            (int(row["row_number"]), row["reason"])
            for row in csv.DictReader(handle)
            if row["file"] == file_name
        }
    assert expected, f"the fixture world has no bad rows in {file_name}"
    con = built.connect()
    actual = set(
        con.execute(f"select source_row_number, reject_reason from {REJECTS[file_name]}").fetchall()
    )
    assert actual == expected, (
        f"missed: {sorted(expected - actual)[:10]}, unexpected: {sorted(actual - expected)[:10]}"
    )


@pytest.mark.parametrize("file_name", sorted(STAGED))
def test_staged_plus_rejected_rows_equal_rows_in_the_file(built: Build, file_name: str):
    """The dbt test rows_reconcile_with_file counts with the reader staging uses; this counts
    with Python's csv module, so a row that DuckDB's reader dropped would show up here."""
    path = built.world.raw_dir / file_name
    read = data_rows(path) if path.exists() else 0
    con = built.connect()
    staged = con.execute(f"select count(*) from {STAGED[file_name]}").fetchone()[0]
    rejected = con.execute(f"select count(*) from {STAGED[file_name]}_rejects").fetchone()[0]
    assert staged + rejected == read
    assert staged > 0


def test_offences_are_located_in_the_lsoa_they_were_generated_in(built: Build):
    con = built.connect()
    truth = built.world.truth_dir / "offence_locations.csv"
    total, matched = con.execute(
        f"""
        select count(*), count(*) filter (where stg.lsoa_code = truth.lsoa_code)
        from read_csv('{truth}', all_varchar = true) as truth
        inner join staging.stg_police__offences as stg using (crime_ref)
        """
    ).fetchone()
    assert total > 1000
    # Points lie inside their polygons; only a point exactly on a shared edge may differ.
    assert matched / total > 0.999, f"{matched} of {total} located as generated"


def test_lsoa_violence_counts_match_an_independent_count_from_the_raw_files(built: Build):
    """Recount violent, non-cancelled, in-window offences per true LSOA straight from the CSVs
    and the seed, under the definitions in dbt_project.yml, apply the disclosure rule, and
    compare with the published mart."""
    definitions = project_vars()
    categories = definitions["violence_categories"]
    months = definitions["analysis_months"]
    threshold = definitions["disclosure_min_count"]
    rounding = definitions["disclosure_rounding"]
    con = built.connect()
    raw, truth = built.world.raw_dir, built.world.truth_dir
    con.execute(
        f"""
        create temp table clean as
        with numbered as (
            select row_number() over () as row_number, *
            from read_csv('{raw}/offences.csv', all_varchar = true)
        ),
        bad as (
            select cast(row_number as bigint) as row_number
            from read_csv('{truth}/bad_rows.csv', all_varchar = true)
            where file = 'offences.csv'
        )
        select o.*, t.lsoa_code, try_strptime(o.committed_from,
            ['%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M']) as committed
        from numbered as o
        left join read_csv('{truth}/offence_locations.csv', all_varchar = true) as t
            using (crime_ref)
        where o.row_number not in (select row_number from bad)
        """
    )
    expected = dict(
        con.execute(
            f"""
            with w as (select max(cast(committed as date)) as last_day from clean)
            select lsoa_code, count(*)
            from clean, w
            inner join read_csv('{PROJECT_DIR}/seeds/offence_classes.csv', all_varchar = true)
                as c
                on upper(clean.ho_offence_code) = c.ho_offence_code
            where list_contains(?, c.category)
                and coalesce(lower(clean.status), 'confirmed') != 'cancelled'
                and cast(committed as date) > w.last_day - to_months(?)
                and lsoa_code is not null
            group by lsoa_code
            """,
            [categories, months],
        ).fetchall()
    )
    published = con.execute(
        "select area_code, violent_offences, violent_offences_suppressed"
        " from marts.fct_area_violence where area_level = 'lsoa'"
    ).fetchall()
    assert len(published) > 100
    secondary = 0
    for area_code, shown, suppressed in published:
        true_count = expected.get(area_code, 0)
        if 0 < true_count < threshold:
            assert suppressed and shown is None, area_code
        elif suppressed:
            # secondary suppression: hidden to protect a small cell of the same MSOA or ward
            assert shown is None, area_code
            secondary += 1
        else:
            # with an odd rounding base a count is never exactly half-way between multiples,
            # so Python's round-half-to-even and SQL's round-half-away-from-zero agree
            assert rounding % 2 == 1
            assert shown == rounding * round(true_count / rounding), (area_code, true_count)
    # a few cells protect others; most published counts are not hidden for that
    assert secondary < len(published) / 10


def copy_raw_with_offences(world_raw, tmp_path, rewrite):
    """A copy of the fixture raw directory whose offences.csv header/rows pass through
    `rewrite(header, rows) -> (header, rows)`."""
    raw = tmp_path / "raw"
    shutil.copytree(world_raw, raw)
    with open(raw / "offences.csv", newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    header, rows = rewrite(header, rows)
    with open(raw / "offences.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    return raw


def build_offences(raw, tmp_path, key):
    return run_dbt(
        [
            "build",
            "--select",
            "+stg_police__offences",
            "--exclude-resource-type",
            "test",
            "unit_test",
        ],
        dbt_env(raw, tmp_path / "db.duckdb", key),
        tmp_path / "target",
        tmp_path / "logs",
    )


def test_column_order_case_and_extra_columns_do_not_matter(built: Build, tmp_path):
    def shuffle(header, rows):
        order = list(reversed(range(len(header))))
        return (
            [header[i].upper() for i in order] + ["Force_Internal_Note"],
            [[row[i] for i in order] + ["ignored"] for row in rows],
        )

    raw = copy_raw_with_offences(built.world.raw_dir, tmp_path, shuffle)
    result = build_offences(raw, tmp_path, built.key)
    assert result.returncode == 0, result.stdout[-3000:]
    query = "select count(*), count(distinct crime_ref) from staging.stg_police__offences"
    with duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True) as con:
        shuffled = con.execute(query).fetchone()
    assert shuffled == built.connect().execute(query).fetchone()


def test_a_missing_required_column_fails_naming_the_file_and_column(built: Build, tmp_path):
    def drop_recorded_at(header, rows):
        i = header.index("recorded_at")
        return header[:i] + header[i + 1 :], [row[:i] + row[i + 1 :] for row in rows]

    raw = copy_raw_with_offences(built.world.raw_dir, tmp_path, drop_recorded_at)
    result = build_offences(raw, tmp_path, built.key)
    assert result.returncode != 0
    assert "offences.csv: required column 'recorded_at' is missing" in result.stdout


def test_persons_homes_are_located_in_their_true_lsoa(built: Build):
    """The generator knows every school-aged suspect's home LSOA (truth/offender_schools.csv,
    keyed by the force's reference): the staged home LSOA, found from the home point or the
    recorded code, must be that LSOA. People are compared through the keyed hash."""
    pseudonymise = make_pseudonymiser(built.key.encode())
    with open(
        built.world.truth_dir / "offender_schools.csv", newline="", encoding="utf-8"
    ) as handle:
        truth = [
            (pseudonymise(row["person_ref"]), row["home_lsoa_code"])
            for row in csv.DictReader(handle)
        ]
    con = built.connect()
    con.execute("create temp table true_homes (person_id varchar, lsoa_code varchar)")
    con.executemany("insert into true_homes values (?, ?)", truth)
    people, with_home, matched, conflicting = con.execute(
        """
        with staged as (
            select
                person_id,
                min(home_lsoa_code) as home_lsoa_code,
                count(distinct home_lsoa_code) as home_lsoa_codes
            from staging.stg_police__offence_persons
            group by person_id
        )
        select
            count(*),
            count(staged.home_lsoa_code),
            count(*) filter (where staged.home_lsoa_code = true_homes.lsoa_code),
            count(*) filter (where staged.home_lsoa_codes > 1)
        from true_homes
        inner join staged using (person_id)
        """
    ).fetchone()
    print(f"{people} school-aged suspects: {with_home} with a home LSOA, {matched} as generated")
    assert people > 100
    assert conflicting == 0
    # The generator records a home for about 90% of people (a point or an LSOA code).
    assert with_home / people > 0.8
    # Home points lie inside their polygons; only a point exactly on a shared edge may differ.
    assert matched / with_home > 0.999, f"{matched} of {with_home} homes located as generated"


def test_the_force_rate_gives_back_only_the_force_rows_rounded_count(built: Build):
    """The force row is every LSOA's sum, rounded; the force rate is that count over the
    person-years, so rate times person-years is the published count, not the exact total."""
    con = built.connect()
    exact = con.execute(
        "select violent_offences from intermediate.int_area_violence_counts"
        " where area_level = 'force'"
    ).fetchone()[0]
    lsoa_sum = con.execute(
        "select sum(violent_offences) from intermediate.int_area_violence_counts"
        " where area_level = 'lsoa'"
    ).fetchone()[0]
    published, implied = con.execute(
        "select violent_offences, force_violent_rate_per_1000_per_year * resident_thousand_years"
        " from (select *, residents * ((window_end_date - window_start_date + 1) / 365.25)"
        " / 1000 as resident_thousand_years from marts.fct_area_violence"
        " where area_level = 'force')"
    ).fetchone()
    assert exact == lsoa_sum
    assert published % 5 == 0 and abs(published - exact) <= 2
    assert implied == pytest.approx(published, abs=1e-6)


def test_no_suppressed_area_cell_can_be_pinned_by_an_integer_program(built: Build):
    """scripts/disclosure_audit.py as an attacker: every level, the force row and the force
    rate together leave no suppressed youth LSOA cell with one possible value, and give no
    exact force-wide total."""
    from disclosure_audit import audit

    result = audit(built.db_path, "youth_violent_offences")
    assert result.suppressed > 0
    assert not result.infeasible
    assert result.force_total_exact is None
    assert result.pinned == 0
