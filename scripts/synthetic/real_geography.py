"""A synthetic world on REAL public geography: the West Midlands open data in ../shared/open-data.

The areas (ONS LSOA 2011 generalised boundaries), their hierarchy (LSOA -> MSOA -> LAD lookup),
residents by single year of age (ONS mid-2020), deprivation (IoD2019) and the schools (GIAS:
names, types, phases, grid references, pupil numbers) are the real ones; the pupils' choices,
the crimes and the people on them are simulated as on the fictional geography. It is the
nearest the project can come to the held-out checks, which run on real geography with a
choice process unlike the generator's. The open data is read where it lies and never copied
into the project; only the generated extract (in the caller's --out) holds it.

Points are located in areas with DuckDB's spatial extension, on the boundaries as they are
written to the extract (0.1 m), and a point within BOUNDARY_MARGIN_M of a boundary is refused,
so the pipeline's point-in-polygon test agrees with the generator's truth.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from scipy.spatial import cKDTree

from spatial_extension import load_spatial

from .geography import Geography
from .population import MAX_AGE, Population
from .schools import NO_RELIGIOUS_CHARACTER, Schools

BOUNDARIES = "boundaries/wm_lsoa2011_bgc_wgs84.geojson"
LOOKUP = "lookups/wm_lsoa11_msoa11_lad17_lookup.csv"
POPULATION = "population/mid2020_lsoa11_population_single_year_of_age_west_midlands.csv"
DEPRIVATION = "imd/imd2019_lsoa11_england_merged.csv"
SCHOOLS = "schools_gias/gias_open_establishments_20250524_west_midlands_7LA.csv"
BOUNDARY_MARGIN_M = 1.5

# GIAS establishment types the world keeps, as the generator's kinds (see catchment.py);
# higher education, online and miscellaneous providers have no pupils of school age to place.
# Independent special schools are special: their pupils are placed (and paid for) by local
# authorities, through education, health and care plans.
KIND_BY_TYPE = {
    "Local authority nursery school": "nursery",
    "Pupil referral unit": "pru",
    "Other independent school": "independent",
    "Other independent special school": "special",
}
DROPPED_TYPES = {
    "Higher education institutions",
    "Miscellaneous",
    "Special post 16 institution",
    "Sixth form centres",
}
# Statutory age ranges by phase (the open-data GIAS extract has none): (low, high, weight).
AGE_RANGES = {
    "Primary": ((4, 11, 0.7), (3, 11, 0.3)),
    "Secondary": ((11, 16, 0.4), (11, 18, 0.6)),
    "All-through": ((4, 18, 0.6), (3, 18, 0.4)),
    "16 plus": ((16, 19, 1.0),),
    "Nursery": ((2, 5, 1.0),),
    "special": ((4, 19, 0.55), (11, 19, 0.45)),
    "pru": ((11, 16, 1.0),),
    "independent": ((3, 18, 0.4), (7, 16, 0.3), (11, 18, 0.3)),
}
TYPICAL_SIZE = {"mainstream": 400, "nursery": 90, "special": 110, "pru": 50, "independent": 250}
FAITH_WORDS = {
    "Catholic": "Roman Catholic",
    " RC ": "Roman Catholic",
    "Church of England": "Church of England",
    "C of E": "Church of England",
    "CofE": "Church of England",
    "C.E.": "Church of England",
    "Muslim": "Muslim",
    "Islamic": "Muslim",
    "Jewish": "Jewish",
    "Sikh": "Sikh",
    "Hindu": "Hindu",
}


class Locator:
    """Point-in-area tests on the written boundaries, in DuckDB."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def _points(self, points: np.ndarray, areas: np.ndarray | None = None):
        columns = {
            "i": np.arange(len(points)),
            "x": points[:, 0].astype(float),
            "y": points[:, 1].astype(float),
        }
        if areas is not None:
            columns["area"] = np.asarray(areas)
        return pa.table(columns)

    def locate(self, points: np.ndarray) -> np.ndarray:
        """Area index of each point, or -1 outside every area or too near a boundary."""
        pts = self._points(points)  # noqa: F841 (read by DuckDB's replacement scan)
        found = self.con.sql(
            f"""
            with p as (select i, st_point(x, y) as pt from pts)
            select p.i, a.idx
            from p inner join areas as a on st_contains(a.geom, p.pt)
            where not st_dwithin(a.edge, p.pt, {BOUNDARY_MARGIN_M})
            """
        ).fetchnumpy()
        out = np.full(len(points), -1)
        out[found["i"]] = found["idx"]
        return out

    def inside(self, points: np.ndarray, areas: np.ndarray) -> np.ndarray:
        """Whether each point is well inside its own area."""
        pts = self._points(points, areas)  # noqa: F841
        hit = self.con.sql(
            f"""
            select p.i
            from pts as p inner join areas as a on p.area = a.idx
            where st_contains(a.geom, st_point(p.x, p.y))
                and not st_dwithin(a.edge, st_point(p.x, p.y), {BOUNDARY_MARGIN_M})
            """
        ).fetchnumpy()["i"]
        out = np.zeros(len(points), dtype=bool)
        out[hit] = True
        return out


def _connect(open_data: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_spatial(con)
    con.execute(
        f"""
        create table areas as
        with shapes as (
            select
                b.LSOA11CD as lsoa_code,
                b.LSOA11NM as lsoa_name,
                l.MSOA11CD as msoa_code,
                l.MSOA11NM as msoa_name,
                l.LAD17CD as la_code,
                l.LAD17NM as la_name,
                st_reduceprecision(
                    st_transform(b.geom, 'EPSG:4326', 'EPSG:27700', always_xy := true), 0.1
                ) as geom
            from st_read('{open_data / BOUNDARIES}') as b
            inner join read_csv('{open_data / LOOKUP}') as l on b.LSOA11CD = l.LSOA11CD
        )
        select
            (row_number() over (order by la_code, msoa_code, lsoa_code) - 1)::integer as idx,
            *,
            st_boundary(geom) as edge
        from shapes
        order by idx
        """
    )
    return con


def build_real_geography(open_data: Path) -> Geography:
    """The real LSOAs, in LA, MSOA and LSOA code order; wards are the MSOAs (the open lookup
    has no wards, and nothing in the pipeline's measures uses them)."""
    con = _connect(open_data)
    rows = con.sql(
        """
        select
            idx, lsoa_code, lsoa_name, msoa_code, msoa_name, la_code, la_name,
            st_asgeojson(geom) as geometry,
            st_x(st_pointonsurface(geom)) as px, st_y(st_pointonsurface(geom)) as py,
            st_x(st_centroid(geom)) as cx, st_y(st_centroid(geom)) as cy,
            st_area(geom) / 1e6 as area_km2,
            st_xmin(geom) as x0, st_ymin(geom) as y0, st_xmax(geom) as x1, st_ymax(geom) as y1
        from areas order by idx
        """
    ).fetchnumpy()
    la_codes, la = np.unique(rows["la_code"], return_inverse=True)
    msoa_codes, msoa = np.unique(rows["msoa_code"], return_inverse=True)
    la_name = [str(rows["la_name"][np.argmax(la == i)]) for i in range(len(la_codes))]
    msoa_name = [str(rows["msoa_name"][np.argmax(msoa == i)]) for i in range(len(msoa_codes))]
    seeds = np.column_stack([rows["px"], rows["py"]])
    return Geography(
        seeds=seeds,
        polygons=[],
        centroid=np.column_stack([rows["cx"], rows["cy"]]),
        area_km2=rows["area_km2"],
        bbox_min=np.column_stack([rows["x0"], rows["y0"]]),
        bbox_max=np.column_stack([rows["x1"], rows["y1"]]),
        density=np.ones(len(seeds)),  # set from the residents by real_population
        la=la,
        msoa=msoa,
        ward=msoa,
        lsoa_code=[str(c) for c in rows["lsoa_code"]],
        lsoa_name=[str(c) for c in rows["lsoa_name"]],
        msoa_code=[str(c) for c in msoa_codes],
        msoa_name=msoa_name,
        ward_code=[f"E059{w + 1:05d}" for w in range(len(msoa_codes))],
        ward_name=msoa_name,
        la_code=[str(c) for c in la_codes],
        la_name=la_name,
        seed_tree=cKDTree(seeds),
        seed_to_lsoa=np.arange(len(seeds)),
        geometry_json=[str(g) for g in rows["geometry"]],
        locator=Locator(con),
    )


def build_real_population(open_data: Path, geo: Geography) -> Population:
    """Residents by single year of age and IMD 2019 score of each area; also sets the areas'
    relative density (residents per km2, 1 at the 95th percentile), which the generator's
    crime and school placement read as urbanness."""
    ages = ", ".join(f'"{a}"' for a in range(MAX_AGE)) + ', "90+"'
    con = geo.locator.con
    by_code = {}
    for row in con.sql(
        f"select lsoa11_code, {ages} from read_csv('{open_data / POPULATION}', header = true)"
    ).fetchall():
        by_code[row[0]] = row[1:]
    imd = dict(
        con.sql(
            f"select lsoa11cd, (imd_score, imd_decile) "
            f"from read_csv('{open_data / DEPRIVATION}', header = true)"
        ).fetchall()
    )
    missing = [c for c in geo.lsoa_code if c not in by_code or c not in imd]
    if missing:
        raise SystemExit(f"open data: {len(missing)} LSOAs have no population or IMD row")
    by_age = np.array([by_code[c] for c in geo.lsoa_code], dtype=np.int64)
    score = np.array([imd[c][0] for c in geo.lsoa_code], dtype=float)
    decile = np.array([imd[c][1] for c in geo.lsoa_code], dtype=np.int64)  # England's deciles
    density = by_age.sum(axis=1) / geo.area_km2
    geo.density = np.clip(density / np.quantile(density, 0.95), 0.05, 1.5)
    z = (score - score.mean()) / score.std()
    return Population(by_age=by_age, imd_score=score, imd_decile=decile, deprivation_z=z)


def _kind(type_name: str) -> str:
    if type_name in KIND_BY_TYPE:
        return KIND_BY_TYPE[type_name]
    if "alternative provision" in type_name:
        return "pru"
    if "special" in type_name.lower():
        return "special"
    return "mainstream"


def _age_range(rng, name: str, phase: str, kind: str) -> tuple[int, int]:
    if kind == "mainstream" and phase == "Primary":
        if "Infant" in name and "Junior" not in name:
            return 4, 7
        if "Junior" in name and "Infant" not in name:
            return 7, 11
    key = phase if kind in ("mainstream", "nursery") and phase in AGE_RANGES else kind
    if key not in AGE_RANGES:  # a mainstream school whose phase is "Not applicable"
        key = "Secondary"
    options = AGE_RANGES[key]
    weights = np.array([o[2] for o in options])
    low, high, _ = options[rng.choice(len(options), p=weights / weights.sum())]
    return low, high


def _religious_character(rng, name: str, type_name: str, kind: str) -> str:
    if kind != "mainstream":
        return NO_RELIGIOUS_CHARACTER
    padded = f" {name} "
    for word, character in FAITH_WORDS.items():
        if word in padded:
            return character
    if name.startswith("St ") or " St " in padded or "Saint" in name or "Holy" in name:
        return "Roman Catholic" if rng.random() < 0.5 else "Church of England"
    if type_name.startswith("Voluntary"):
        return "Church of England"
    return NO_RELIGIOUS_CHARACTER


def _admissions_policy(name: str, phase: str, kind: str) -> str:
    if kind != "mainstream" or phase not in ("Secondary", "All-through"):
        return "Not applicable"
    selective = "Grammar" in name or ("King Edward VI" in name and "Academy" not in name)
    return "Selective" if selective else "Non-selective"


def build_real_schools(
    rng: np.random.Generator, open_data: Path, geo: Geography, pop: Population
) -> Schools:
    """The open GIAS establishments of the area with a grid reference inside an area; their
    pupil numbers (where given) set their relative size, and the catchment simulation then
    places that many pupils."""
    con = geo.locator.con
    rows = con.sql(
        f"""
        select urn, establishment_name, establishment_type, education_phase,
            number_of_pupils, easting, northing
        from read_csv('{open_data / SCHOOLS}', header = true)
        where easting is not null and northing is not null
        order by urn
        """
    ).fetchall()
    rows = [r for r in rows if r[2] not in DROPPED_TYPES]
    xy = np.array([[r[5], r[6]] for r in rows], dtype=np.int64)
    lsoa = geo.locator.locate(xy)
    keep = lsoa >= 0
    rows = [r for r, k in zip(rows, keep) if k]
    xy, lsoa = xy[keep], lsoa[keep]
    n = len(rows)
    kind = np.array([_kind(r[2]) for r in rows])
    ages = [_age_range(rng, r[1], r[3], k) for r, k in zip(rows, kind)]
    phase = [
        r[3] if r[3] != "Not applicable" or k != "mainstream" else "Secondary"
        for r, k in zip(rows, kind)
    ]
    size = np.array(
        [float(r[4]) if r[4] else TYPICAL_SIZE[k] for r, k in zip(rows, kind)]
    ) * rng.lognormal(0.0, 0.1, n)
    mainstream = kind == "mainstream"
    return Schools(
        urn=np.array([r[0] for r in rows], dtype=np.int64),
        name=[r[1] for r in rows],
        type=[r[2] for r in rows],
        phase=phase,
        kind=kind,
        is_open=np.ones(n, dtype=bool),
        low=np.array([a[0] for a in ages]),
        high=np.array([a[1] for a in ages]),
        age_range_published=np.ones(n, dtype=bool),
        la=geo.la[lsoa],
        lsoa=lsoa,
        xy=xy,
        size=np.maximum(size, 5.0),
        attractiveness=np.where(
            mainstream, rng.normal(0, 0.6, n) - 0.3 * pop.deprivation_z[lsoa], 0.0
        ),
        religious_character=[_religious_character(rng, r[1], r[2], k) for r, k in zip(rows, kind)],
        admissions_policy=[_admissions_policy(r[1], p, k) for r, p, k in zip(rows, phase, kind)],
    )
