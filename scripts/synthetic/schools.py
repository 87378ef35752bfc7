"""The establishments of the synthetic region, in the style of the DfE's GIAS download.

The mix of phases and types is roughly that of the real West Midlands. Schools are placed near
the children they serve; pupil numbers come later from the catchment simulation.
"""

from dataclasses import dataclass

import numpy as np

from .geography import Geography
from .population import Population
from .spatial import points_in_areas

FIRST_URN, LAST_URN = 900001, 999999
FIRST_DFE_LA_CODE = 930
UNKNOWN_AGE_RANGE_SHARE = 0.05
# GIAS's ReligiousCharacter (name): voluntary schools are church schools (their names say
# which); a share of academies are former church schools. England has about a third of
# primaries and a fifth of secondaries with a religious character (DfE).
NO_RELIGIOUS_CHARACTER = "Does not apply"
FAITH_ACADEMY_SHARE = {"Academy converter": 0.25, "Academy sponsor led": 0.10}
# GIAS's AdmissionsPolicy (name): a few state secondaries select by ability (the West
# Midlands has grammar schools in Birmingham, Walsall, Wolverhampton and nearby).
SELECTIVE_SECONDARY_SHARE = 0.04


@dataclass(frozen=True)
class SchoolGroup:
    """`count` open plus `closed` establishments sharing a phase, how children choose them
    (`kind`, see catchment.py) and typical pupil numbers (`size`)."""

    kind: str
    phase: str
    count: int
    closed: int
    types: tuple  # (TypeOfEstablishment, weight)
    age_ranges: tuple  # (StatutoryLowAge, StatutoryHighAge, weight)
    size: float


PRIMARY_TYPES = (
    ("Community school", 0.36),
    ("Voluntary aided school", 0.14),
    ("Voluntary controlled school", 0.05),
    ("Foundation school", 0.04),
    ("Academy converter", 0.24),
    ("Academy sponsor led", 0.15),
    ("Free schools", 0.02),
)
SECONDARY_TYPES = (
    ("Community school", 0.08),
    ("Voluntary aided school", 0.08),
    ("Foundation school", 0.04),
    ("Academy converter", 0.45),
    ("Academy sponsor led", 0.30),
    ("Free schools", 0.05),
)
ACADEMY_TYPES = (("Academy converter", 0.4), ("Academy sponsor led", 0.3), ("Free schools", 0.3))
SIXTEEN_PLUS_TYPES = (
    ("Academy 16-19 converter", 0.25),
    ("Free schools 16 to 19", 0.35),
    ("Further education", 0.40),
)
SPECIAL_TYPES = (("Community special school", 0.6), ("Academy special converter", 0.4))
INDEPENDENT = (("Other independent school", 1.0),)

# fmt: off
SCHOOL_GROUPS = (
    # kind, phase, open, closed, types, age ranges, typical size
    SchoolGroup("mainstream", "Primary", 760, 14, PRIMARY_TYPES,
                ((4, 11, 0.7), (3, 11, 0.3)), 380),
    SchoolGroup("mainstream", "Secondary", 195, 4, SECONDARY_TYPES,
                ((11, 16, 0.4), (11, 18, 0.6)), 1100),
    SchoolGroup("mainstream", "All-through", 10, 0, ACADEMY_TYPES,
                ((4, 18, 0.6), (3, 18, 0.4)), 1500),
    SchoolGroup("mainstream", "Middle deemed primary", 2, 0, (("Community school", 1.0),),
                ((8, 12, 1.0),), 350),
    SchoolGroup("mainstream", "Middle deemed secondary", 2, 0, (("Academy converter", 1.0),),
                ((9, 13, 1.0),), 450),
    SchoolGroup("mainstream", "16 plus", 16, 0, SIXTEEN_PLUS_TYPES, ((16, 19, 1.0),), 350),
    SchoolGroup("nursery", "Nursery", 45, 2, (("Local authority nursery school", 1.0),),
                ((2, 5, 1.0),), 90),
    SchoolGroup("special", "Not applicable", 55, 0, SPECIAL_TYPES,
                ((4, 19, 0.55), (11, 19, 0.45)), 110),
    SchoolGroup("pru", "Not applicable", 10, 0, (("Pupil referral unit", 1.0),),
                ((11, 16, 1.0),), 50),
    SchoolGroup("independent", "Primary", 20, 0, INDEPENDENT, ((3, 11, 1.0),), 200),
    SchoolGroup("independent", "Secondary", 15, 0, INDEPENDENT, ((11, 18, 1.0),), 450),
    SchoolGroup("independent", "All-through", 15, 0, INDEPENDENT, ((3, 18, 1.0),), 500),
    SchoolGroup("independent", "Not applicable", 20, 0, INDEPENDENT,
                ((7, 16, 0.5), (11, 18, 0.5)), 80),
)
# fmt: on

GENERIC_PLACES = (
    "Oakfield",
    "Greenwood",
    "Hillcrest",
    "Park View",
    "Meadowbank",
    "Fairway",
    "Brookside",
    "Holly Bank",
    "Woodlands",
    "Lakeside",
    "Beechwood",
    "Springfield",
    "Chestnut",
    "Rosewood",
    "Hawthorn",
    "Willow",
    "Riverside",
    "Highfield",
    "Grange",
    "Elmstead",
    "Kingsway",
    "Broadmeadow",
    "Lyndon",
    "Foxhollies",
)
SAINTS = (
    "Mary",
    "Joseph",
    "Patrick",
    "Anne",
    "John",
    "Peter",
    "Thomas",
    "Michael",
    "Teresa",
    "Edward",
    "Augustine",
    "Chad",
    "Bernadette",
    "Francis",
    "Margaret",
    "Bede",
)


@dataclass
class Schools:
    """One entry per establishment, in URN order."""

    urn: np.ndarray
    name: list
    type: list
    phase: list
    kind: np.ndarray  # mainstream, nursery, special, pru, independent
    is_open: np.ndarray
    low: np.ndarray  # true statutory age range; pupils are aged low <= age < high
    high: np.ndarray
    age_range_published: np.ndarray  # False for the ~5% whose age range is left empty
    la: np.ndarray
    lsoa: np.ndarray
    xy: np.ndarray  # integer metres
    size: np.ndarray  # relative capacity
    attractiveness: np.ndarray  # popularity beyond distance (catchment utility)
    religious_character: list  # GIAS ReligiousCharacter (name)
    admissions_policy: list  # GIAS AdmissionsPolicy (name)

    @property
    def n(self) -> int:
        return len(self.urn)

    def covers(self, age: int) -> np.ndarray:
        return self.is_open & (self.low <= age) & (age < self.high)

    @property
    def is_faith(self) -> np.ndarray:
        return np.array([r != NO_RELIGIOUS_CHARACTER for r in self.religious_character])

    @property
    def is_selective(self) -> np.ndarray:
        return np.array([p == "Selective" for p in self.admissions_policy])


def _pick(rng, options: tuple, n: int) -> np.ndarray:
    """Indices into `options` drawn by their last element (the weight)."""
    weights = np.array([o[-1] for o in options], dtype=float)
    return rng.choice(len(options), size=n, p=weights / weights.sum())


def allocate(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Split `total` proportionally to weights (largest remainder), at least `minimum` each."""
    base = np.full(len(weights), minimum)
    share = (total - base.sum()) * weights / weights.sum()
    base += np.floor(share).astype(int)
    remainder = total - base.sum()
    base[np.argsort(-(share - np.floor(share)), kind="stable")[:remainder]] += 1
    return base


def _children(pop: Population, low: int, high: int) -> np.ndarray:
    return pop.by_age[:, max(low, 2) : min(high, 18)].sum(axis=1).astype(float)


def _place(rng, geo, pop, group: SchoolGroup, lows, highs) -> np.ndarray:
    """Home area of each establishment of a group."""
    n = len(lows)
    if group.kind == "independent":
        weights = pop.total * np.exp(-0.8 * pop.deprivation_z)
        return rng.choice(geo.n, size=n, p=weights / weights.sum())
    if group.kind in ("special", "pru"):  # every LA runs its own
        per_la = allocate(n, np.bincount(geo.la, _children(pop, 4, 18)), 2 if n > 20 else 1)
        areas = []
        for la, k in enumerate(per_la):
            weights = np.where(geo.la == la, _children(pop, 4, 18), 0.0)
            areas.append(rng.choice(geo.n, size=k, p=weights / weights.sum()))
        return np.concatenate(areas)
    areas = np.empty(n, dtype=int)
    for low, high in sorted(set(zip(lows.tolist(), highs.tolist()))):
        rows = np.flatnonzero((lows == low) & (highs == high))
        weights = _children(pop, low, high)
        areas[rows] = rng.choice(geo.n, size=rows.size, p=weights / weights.sum())
    return areas


def _name(rng, group: SchoolGroup, type_name: str, place: str, la_name: str) -> str:
    saint = SAINTS[rng.integers(len(SAINTS))]
    academy = type_name.startswith("Academy") or type_name.startswith("Free")
    options = {
        "Primary": [
            f"{place} Primary School",
            f"{place} Junior and Infant School",
            f"{place} Primary Academy" if academy else f"{place} Community Primary School",
        ],
        "Secondary": [
            f"{place} High School",
            f"{place} Academy" if academy else f"{place} School",
            f"The {place} School",
        ],
        "All-through": [f"{place} All-Through Academy", f"{place} School"],
        "Middle deemed primary": [f"{place} Middle School"],
        "Middle deemed secondary": [f"{place} Middle School"],
        "16 plus": [f"{place} Sixth Form College", f"{place} College"],
        "Nursery": [f"{place} Nursery School"],
    }
    if group.kind == "special":
        options = [f"{place} School", f"{place} Specialist School", f"{place} Academy"]
    elif group.kind == "pru":
        options = [f"{la_name} Pupil Referral Unit", f"{place} Learning Centre"]
    elif group.kind == "independent":
        options = [f"{place} Preparatory School", f"{place} College", f"{place} House School"]
    elif type_name == "Voluntary aided school":
        stage = "Primary" if group.phase == "Primary" else "High"
        options = [
            f"St {saint}'s Catholic {stage} School",
            f"{place} Church of England {stage} School",
        ]
    elif type_name == "Voluntary controlled school":
        options = [f"{place} Church of England Primary School"]
    else:
        options = options[group.phase]
    return options[rng.integers(len(options))]


def build_schools(rng: np.random.Generator, geo: Geography, pop: Population) -> Schools:
    cols = {k: [] for k in ("name", "type", "phase", "kind", "open", "low", "high", "lsoa", "size")}
    for group in SCHOOL_GROUPS:
        n = group.count + group.closed
        ranges = _pick(rng, group.age_ranges, n)
        lows = np.array([group.age_ranges[r][0] for r in ranges])
        highs = np.array([group.age_ranges[r][1] for r in ranges])
        areas = _place(rng, geo, pop, group, lows, highs)
        types = [group.types[t][0] for t in _pick(rng, group.types, n)]
        for i in range(n):
            local = geo.ward_name[geo.ward[areas[i]]]
            place = (
                local if rng.random() < 0.6 else GENERIC_PLACES[rng.integers(len(GENERIC_PLACES))]
            )
            cols["name"].append(_name(rng, group, types[i], place, geo.la_name[geo.la[areas[i]]]))
        cols["type"] += types
        cols["phase"] += [group.phase] * n
        cols["kind"] += [group.kind] * n
        cols["open"] += [True] * group.count + [False] * group.closed
        cols["low"].append(lows)
        cols["high"].append(highs)
        cols["lsoa"].append(areas)
        cols["size"].append(group.size * rng.lognormal(0.0, 0.3, n))
    lsoa = np.concatenate(cols["lsoa"])
    n = len(lsoa)
    # URNs are not in phase order in GIAS: shuffle the schools, then number them increasingly.
    order = rng.permutation(n)
    urn = np.sort(rng.choice(np.arange(FIRST_URN, LAST_URN + 1), size=n, replace=False))
    kind = np.array(cols["kind"])[order]
    deprivation = pop.deprivation_z[lsoa[order]]
    mainstream = kind == "mainstream"
    return Schools(
        urn=urn,
        name=[cols["name"][i] for i in order],
        type=[cols["type"][i] for i in order],
        phase=[cols["phase"][i] for i in order],
        kind=kind,
        is_open=np.array(cols["open"])[order],
        low=np.concatenate(cols["low"])[order],
        high=np.concatenate(cols["high"])[order],
        age_range_published=rng.random(n) >= UNKNOWN_AGE_RANGE_SHARE,
        la=geo.la[lsoa[order]],
        lsoa=lsoa[order],
        xy=points_in_areas(rng, geo, lsoa[order]),
        size=np.concatenate(cols["size"])[order],
        attractiveness=np.where(mainstream, rng.normal(0, 0.6, n) - 0.3 * deprivation, 0.0),
        religious_character=[NO_RELIGIOUS_CHARACTER] * n,
        admissions_policy=["Not applicable"] * n,
    )


def _religious_character(rng, name: str, type_name: str, kind: str) -> str:
    if kind != "mainstream":
        return NO_RELIGIOUS_CHARACTER
    if "Catholic" in name:
        return "Roman Catholic"
    if "Church of England" in name:
        return "Church of England"
    if rng.random() < FAITH_ACADEMY_SHARE.get(type_name, 0.0):
        return "Church of England" if rng.random() < 0.6 else "Roman Catholic"
    return NO_RELIGIOUS_CHARACTER


def _admissions_policy(rng, phase: str, kind: str) -> str:
    if kind != "mainstream" or phase not in ("Secondary", "All-through"):
        return "Not applicable"
    return "Selective" if rng.random() < SELECTIVE_SECONDARY_SHARE else "Non-selective"


def add_admissions(rng: np.random.Generator, schools: Schools) -> Schools:
    """GIAS's religious character and admissions policy, from a stream of their own (so the
    rest of the world is the same with or without them)."""
    kinds = schools.kind.tolist()
    schools.religious_character = [
        _religious_character(rng, n, t, k) for n, t, k in zip(schools.name, schools.type, kinds)
    ]
    schools.admissions_policy = [
        _admissions_policy(rng, p, k) for p, k in zip(schools.phase, kinds)
    ]
    return schools


def dfe_la_code(la: int) -> int:
    return FIRST_DFE_LA_CODE + la
