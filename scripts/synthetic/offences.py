"""Recorded crimes: what, when and where.

Violence dominates (about 65%). Times follow the usual patterns: evening and night peaks,
weekend nights, youth offences peaking after school. Places cluster in town centres and around
transport hubs, and otherwise follow population weighted towards deprivation; some youth
offences happen near secondary schools at home time. Each offence carries a `youth` flag that
the persons module honours by giving it a school-aged suspect.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .geography import TOWNS, Geography
from .population import Population
from .schools import Schools
from .spatial import points_in_areas, points_near
from .term_dates import school_days

OFFENCES_PER_SCALE = 400_000
PRE_WINDOW_SHARE = 0.03  # offences in the year before the analysis window
PRE_WINDOW = ("2021-01-01", "2022-01-01")  # [start, end)
WINDOW = ("2022-01-01", "2025-01-01")

# Home Office code, share of offences (%), time-of-day profile.
OFFENCE_MIX = (
    ("105A", 25.0, "violence"),
    ("104", 1.5, "violence"),
    ("105B", 1.5, "violence"),
    ("3B", 4.0, "violence"),
    ("8N", 19.0, "violence"),
    ("8P", 0.8, "violence"),
    ("5D", 1.2, "violence"),
    ("2", 0.05, "violence"),
    ("5E", 0.3, "violence"),
    ("34B", 5.0, "violence"),
    ("34A", 0.6, "daytime"),
    ("10D", 3.5, "violence"),
    ("10C", 2.0, "violence"),
    ("10A", 0.15, "violence"),
    ("1", 0.012, "violence"),
    ("4/1", 0.006, "violence"),
    ("4/2", 0.0005, "daytime"),
    ("17A", 0.3, "sexual"),
    ("19C", 1.2, "sexual"),
    ("20A", 1.5, "sexual"),
    ("20B", 0.5, "sexual"),
    ("8L", 8.0, "daytime"),
    ("28E", 4.0, "night"),
    ("39", 2.0, "daytime"),
    ("45", 2.5, "night"),
    ("46", 5.0, "daytime"),
    ("49", 4.0, "daytime"),
    ("58C", 2.5, "night"),
    ("92D", 2.5, "violence"),
    ("9A", 1.5, "violence"),
)
# Share of offences by category with a school-aged suspect.
YOUTH_SHARE = {
    "homicide": 0.10,
    "violence with injury": 0.13,
    "violence without injury": 0.13,
    "robbery": 0.35,
    "possession of weapons": 0.25,
    "sexual offences": 0.12,
    "other": 0.07,
}

# Relative frequency by hour 0..23.
# fmt: off
HOURS = {
    "violence": (3.0, 2.2, 1.6, 1.1, 0.7, 0.5, 0.6, 1.0, 1.5, 2.0, 2.5, 3.0, 3.4, 3.7, 4.0, 4.5,
                 5.0, 5.5, 6.0, 6.2, 6.2, 5.8, 5.2, 4.2),
    "daytime": (0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.5, 3.0, 4.5, 5.5, 6.0, 6.2, 6.2, 6.0, 6.0,
                5.8, 5.2, 4.0, 3.0, 2.2, 1.6, 1.0, 0.7),
    "night": (4.0, 3.5, 3.0, 2.5, 2.0, 1.5, 1.2, 1.2, 1.5, 1.8, 2.0, 2.0, 2.0, 2.0, 2.0, 2.2, 2.5,
              3.0, 3.5, 4.0, 4.5, 5.0, 5.0, 4.5),
    "sexual": (4.0, 3.5, 3.0, 2.5, 1.5, 1.0, 0.8, 1.0, 1.5, 2.0, 2.5, 2.8, 3.0, 3.0, 3.2, 3.5,
               3.8, 4.0, 4.2, 4.5, 4.8, 5.0, 5.0, 4.5),
    "youth_school_day": (0.6, 0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 1.0, 2.0, 0.8, 0.5, 0.6, 1.2, 1.0,
                         1.2, 5.0, 6.5, 6.0, 4.5, 3.5, 2.8, 2.0, 1.4, 0.9),
    "youth": (1.5, 1.0, 0.6, 0.3, 0.2, 0.1, 0.2, 0.4, 0.8, 1.2, 1.8, 2.5, 3.2, 3.8, 4.2, 4.6, 5.0,
              5.2, 5.2, 5.0, 4.5, 3.8, 2.8, 2.0),
}
# fmt: on
# Relative volume by day of week, Monday first.
DAYS_OF_WEEK = {
    "violence": (0.92, 0.90, 0.92, 0.95, 1.08, 1.20, 1.10),
    "daytime": (1.02, 1.02, 1.02, 1.02, 1.05, 0.98, 0.85),
    "night": (0.95, 0.95, 0.95, 1.0, 1.05, 1.10, 1.0),
    "sexual": (0.95, 0.92, 0.92, 0.95, 1.05, 1.15, 1.10),
    "youth": (1.0, 1.0, 1.0, 1.0, 1.1, 1.15, 0.95),
}
NIGHT_OUT = {"early_hours": 2.8, "late_evening": 1.4}  # Sat/Sun 00-04, Fri/Sat 19-23
COMMUTE_HOURS = ((7, 9), (14, 18))

NOT_GEOCODED = 0.05
HUBS = 12
TIMESTAMP_T_SHARE = 0.6  # '2023-05-04T15:20:00' vs '2023-05-04 15:20'
CANCELLED, STATUS_EMPTY = 0.02, 0.05
TITLE_EMPTY, LOCATION_TYPE_EMPTY, FLAG_EMPTY = 0.08, 0.03, 0.02
LOCATION_TYPES = ("street", "dwelling", "school", "park", "shop", "transport", "other")
# Location type weights (in LOCATION_TYPES order) by how the place was chosen.
PLACE_TYPES = {
    "hotspot": (0.45, 0.02, 0.0, 0.05, 0.25, 0.13, 0.10),
    "hub": (0.30, 0.0, 0.0, 0.02, 0.08, 0.55, 0.05),
    "area": (0.33, 0.45, 0.02, 0.05, 0.05, 0.02, 0.08),
    "school": (0.45, 0.02, 0.25, 0.10, 0.06, 0.10, 0.02),
}
FIXED_PLACE_TYPE = {"28E": "dwelling", "46": "shop", "45": "street", "58C": "street"}


@dataclass
class Offences:
    """Clean offences in crime reference order."""

    crime_ref: list
    code: np.ndarray
    category: np.ndarray
    title: np.ndarray
    committed_from: np.ndarray  # datetime64[m]
    committed_to: np.ndarray  # datetime64[m], NaT when not given
    recorded_at: np.ndarray
    iso_t: np.ndarray  # which timestamp style the row uses
    xy: np.ndarray  # integer metres; meaningless where not geocoded
    lsoa: np.ndarray  # true area, -1 when not geocoded
    location_type: np.ndarray
    knife_flag: np.ndarray
    proactive_flag: np.ndarray
    status: np.ndarray
    youth: np.ndarray  # has a school-aged suspect

    @property
    def n(self) -> int:
        return len(self.code)


def read_offence_classes(path: Path) -> dict:
    """code -> (title, category) from the pipeline's seed."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {
            r["ho_offence_code"]: (r["offence_title"], r["category"])
            for r in csv.DictReader(handle)
        }


def _hour_tables() -> dict:
    """profile -> (7 weekdays, 2 school-day flags, 24 hours) cumulative probabilities."""
    tables = {}
    for profile in DAYS_OF_WEEK:
        table = np.zeros((7, 2, 24))
        for dow in range(7):
            for school_day in (0, 1):
                key = "youth_school_day" if profile == "youth" and school_day else profile
                hours = np.array(HOURS[key])
                if profile != "daytime" and not school_day:
                    if dow in (5, 6):
                        hours[0:5] *= NIGHT_OUT["early_hours"]
                    if dow in (4, 5):
                        hours[19:24] *= NIGHT_OUT["late_evening"]
                table[dow, school_day] = np.cumsum(hours) / hours.sum()
        tables[profile] = table
    return tables


def _day_weights(days: np.ndarray, profile: str) -> np.ndarray:
    dow = (days.astype(np.int64) + 3) % 7
    day_of_year = (days - days.astype("datetime64[Y]")).astype(np.int64)
    season = 1.0 + 0.08 * np.sin(2 * np.pi * (day_of_year - 100) / 365.25)
    trend = 1.0 + 0.03 * (days.astype("datetime64[Y]").astype(np.int64) - 52)
    return season * trend * np.array(DAYS_OF_WEEK[profile])[dow]


def _times(rng, profiles: np.ndarray) -> np.ndarray:
    """committed_from for each offence: day by profile, then hour by day type."""
    n = len(profiles)
    days = np.empty(n, dtype="datetime64[D]")
    in_pre = rng.random(n) < PRE_WINDOW_SHARE
    for start, end, rows_mask in ((*PRE_WINDOW, in_pre), (*WINDOW, ~in_pre)):
        calendar = np.arange(np.datetime64(start), np.datetime64(end))
        for profile in DAYS_OF_WEEK:
            rows = np.flatnonzero(rows_mask & (profiles == profile))
            weights = _day_weights(calendar, profile)
            days[rows] = calendar[
                rng.choice(len(calendar), size=rows.size, p=weights / weights.sum())
            ]
    dow = (days.astype(np.int64) + 3) % 7
    school_day = school_days(days).astype(int)
    hour = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    for profile, table in _hour_tables().items():
        for d in range(7):
            for s in (0, 1):
                rows = np.flatnonzero((profiles == profile) & (dow == d) & (school_day == s))
                hour[rows] = np.searchsorted(table[d, s], u[rows], side="right")
    minute = np.where(rng.random(n) < 0.3, 0, rng.integers(0, 12, n) * 5)
    minute = np.where(rng.random(n) < 0.3, rng.integers(0, 60, n), minute)
    return days.astype("datetime64[m]") + (hour * 60 + minute).astype("timedelta64[m]")


def _past_spring_gap(times: np.ndarray) -> np.ndarray:
    """England's clocks go from 01:00 to 02:00 on the last Sunday of March, so no force system
    records a time in that hour (read back in UTC, such a time named an instant an hour away):
    a time drawn in it is moved an hour on, as a clock shows it."""
    april = (times.astype("datetime64[Y]").astype("datetime64[M]") + 3).astype("datetime64[D]")
    march_31 = april - np.timedelta64(1, "D")
    last_sunday = march_31 - ((march_31.astype(np.int64) + 3) % 7 - 6) % 7
    gap = last_sunday.astype("datetime64[m]") + np.timedelta64(60, "m")
    in_gap = (times >= gap) & (times < gap + np.timedelta64(60, "m"))
    return np.where(in_gap, times + np.timedelta64(60, "m"), times)


def _lognormal_minutes(rng, median: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    return np.round(median * np.exp(sigma * rng.normal(size=len(median)))).astype(np.int64)


def _period_and_recording(rng, committed_from, category, code):
    """Optional committed_to (a range for unwitnessed crimes) and a later recorded_at."""
    n = len(code)
    unwitnessed = np.isin(code, ["28E", "45", "58C", "49"])
    sexual = category == "sexual offences"
    has_to = rng.random(n) < np.select([unwitnessed, sexual], [0.6, 0.3], 0.08)
    span = _lognormal_minutes(rng, np.where(unwitnessed, 480.0, 90.0), np.full(n, 1.0))
    span = np.clip(span, 5, 7 * 24 * 60)
    committed_to = np.where(
        has_to, committed_from + span.astype("timedelta64[m]"), np.datetime64("NaT")
    )
    delay = _lognormal_minutes(
        rng, np.select([sexual, unwitnessed], [2880.0, 180.0], 45.0), np.where(sexual, 1.8, 1.3)
    )
    delay = np.clip(delay, 1, 365 * 24 * 60) + np.where(has_to, span, 0)
    return committed_to, committed_from + delay.astype("timedelta64[m]")


def _hubs(rng, geo: Geography) -> np.ndarray:
    """Transport hubs: busy stations in the denser areas."""
    weights = geo.density**3
    return geo.centroid[rng.choice(geo.n, size=HUBS, replace=False, p=weights / weights.sum())]


def _place_modes(rng, code, youth, committed_from) -> np.ndarray:
    """How each offence's place is chosen: hotspot, hub, area or near a school."""
    n = len(code)
    minutes = (committed_from - committed_from.astype("datetime64[D]")).astype(np.int64)
    commute = np.zeros(n, dtype=bool)
    for start, end in COMMUTE_HOURS:
        commute |= (minutes >= start * 60) & (minutes < end * 60)
    commute &= school_days(committed_from.astype("datetime64[D]"))
    p_school = np.where(youth, np.where(commute, 0.35, 0.10), 0.0)
    p_hotspot = np.where(np.isin(code, ["46", "39", "34A"]), 0.65, 0.22)
    p_hub = np.where(np.isin(code, ["39", "34B"]), 0.12, 0.06)
    u = rng.random(n)
    return np.select(
        [u < p_school, u < p_school + p_hotspot, u < p_school + p_hotspot + p_hub],
        ["school", "hotspot", "hub"],
        "area",
    )


def _locations(rng, geo, pop, schools, modes, hubs):
    """Points (integer metres) and their true areas."""
    n = len(modes)
    xy = np.zeros((n, 2), dtype=np.int64)
    lsoa = np.full(n, -1)
    town_xy = np.array([[t.x, t.y] for t in TOWNS])
    town_weight = np.array([3.0] + [1.0] * (len(TOWNS) - 1))
    secondary = schools.is_open & (schools.low >= 9) & (schools.high >= 16)
    school_weight = np.where(secondary, np.exp(0.5 * pop.deprivation_z[schools.lsoa]), 0.0)
    centres = {
        "hotspot": (town_xy, town_weight, 350.0),
        "hub": (hubs, np.ones(len(hubs)), 150.0),
        "school": (schools.xy.astype(float), school_weight, 250.0),
    }
    for mode, (points, weights, sigma) in centres.items():
        rows = np.flatnonzero(modes == mode)
        pick = rng.choice(len(points), size=rows.size, p=weights / weights.sum())
        xy[rows], lsoa[rows] = points_near(rng, geo, points[pick], np.full(rows.size, sigma))
    rows = np.flatnonzero(modes == "area")
    weights = pop.total * np.exp(0.5 * pop.deprivation_z) * (0.5 + geo.density)
    lsoa[rows] = rng.choice(geo.n, size=rows.size, p=weights / weights.sum())
    xy[rows] = points_in_areas(rng, geo, lsoa[rows])
    return xy, lsoa


def _location_types(rng, modes, code) -> np.ndarray:
    out = np.empty(len(modes), dtype=object)
    for mode, weights in PLACE_TYPES.items():
        rows = np.flatnonzero(modes == mode)
        out[rows] = np.array(LOCATION_TYPES)[
            rng.choice(len(LOCATION_TYPES), size=rows.size, p=np.array(weights) / sum(weights))
        ]
    for offence, place in FIXED_PLACE_TYPE.items():
        out[code == offence] = place
    out[rng.random(len(modes)) < LOCATION_TYPE_EMPTY] = ""
    return out


def _flags(rng, code, category):
    n = len(code)
    violent = np.isin(
        category, ["violence with injury", "violence without injury", "robbery", "homicide"]
    )
    p_knife = np.select([code == "10D", code == "10C", violent], [0.95, 0.20, 0.08], 0.0)
    knife = np.where(rng.random(n) < p_knife, "Y", "N").astype(object)
    weapons = category == "possession of weapons"
    p_proactive = np.select([code == "92D", weapons, code == "104"], [0.85, 0.55, 0.30], 0.04)
    proactive = np.where(rng.random(n) < p_proactive, "Y", "N").astype(object)
    knife[rng.random(n) < FLAG_EMPTY] = ""
    proactive[rng.random(n) < FLAG_EMPTY] = ""
    u = rng.random(n)
    status = np.select(
        [u < CANCELLED, u < CANCELLED + STATUS_EMPTY], ["cancelled", ""], "confirmed"
    ).astype(object)
    return knife, proactive, status


def crime_refs(recorded_at: np.ndarray) -> list:
    """Force-style references numbered in recording order within each year: 20/012345/23."""
    year = recorded_at.astype("datetime64[Y]").astype(np.int64) + 1970
    seq = np.zeros(len(year), dtype=np.int64)
    for y in np.unique(year):
        rows = np.flatnonzero(year == y)
        seq[rows] = np.arange(1, rows.size + 1)
    return [f"20/{s:06d}/{y % 100:02d}" for s, y in zip(seq, year)]


def simulate_offences(
    rng, scale: float, geo: Geography, pop: Population, schools: Schools, classes: dict, hub_rng
) -> Offences:
    """About 400,000 x scale clean offences; `hub_rng` places the transport hubs."""
    n = int(round(OFFENCES_PER_SCALE * scale))
    codes = np.array([c for c, _, _ in OFFENCE_MIX])
    shares = np.array([s for _, s, _ in OFFENCE_MIX])
    pick = rng.choice(len(codes), size=n, p=shares / shares.sum())
    code = codes[pick]
    category = np.array([classes[c][1] for c in codes])[pick]
    youth = rng.random(n) < np.vectorize(YOUTH_SHARE.get)(category)
    profile = np.where(youth, "youth", np.array([p for _, _, p in OFFENCE_MIX])[pick])
    # committed_from first: the later two, drawn after it, are then after it when moved too
    committed_from = _past_spring_gap(_times(rng, profile))
    committed_to, recorded_at = map(
        _past_spring_gap, _period_and_recording(rng, committed_from, category, code)
    )
    modes = _place_modes(rng, code, youth, committed_from)
    xy, lsoa = _locations(rng, geo, pop, schools, modes, _hubs(hub_rng, geo))
    lsoa[rng.random(n) < NOT_GEOCODED] = -1
    location_type = _location_types(rng, modes, code)
    knife, proactive, status = _flags(rng, code, category)
    title = np.array([classes[c][0] for c in codes], dtype=object)[pick]
    title[rng.random(n) < TITLE_EMPTY] = ""
    iso_t = rng.random(n) < TIMESTAMP_T_SHARE
    order = np.lexsort((committed_from, recorded_at))
    return Offences(
        crime_ref=crime_refs(recorded_at[order]),
        code=code[order],
        category=category[order],
        title=title[order],
        committed_from=committed_from[order],
        committed_to=committed_to[order],
        recorded_at=recorded_at[order],
        iso_t=iso_t[order],
        xy=xy[order],
        lsoa=lsoa[order],
        location_type=location_type[order],
        knife_flag=knife[order],
        proactive_flag=proactive[order],
        status=status[order],
        youth=youth[order],
    )
