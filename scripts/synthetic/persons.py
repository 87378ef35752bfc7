"""The people on each crime: suspects, offenders, victims and the odd witness.

Each crime gets "slots" (a role and an age at the offence). Slots are then grouped into people:
slots of one role class sorted by implied date of birth and cut into runs, so a repeat
offender's or victim's appearances share one date of birth, sex, ethnicity and home. A person
who is school-aged (4-17) at any of their crimes is one of the simulated children: their home
area and school are drawn from the catchment truth, never invented.
"""

from dataclasses import dataclass

import numpy as np

from .catchment import Catchment
from .ethnicity import EthnicMix, person_ethnicity
from .geography import Geography
from .offences import Offences
from .population import Population
from .spatial import points_in_areas

SUSPECT, OFFENDER, VICTIM, WITNESS = "SUSPECT", "OFFENDER", "VICTIM", "WITNESS"
# Probability of 0, 1, 2, 3 suspects (and of 0..3 victims) by offence category or code.
SUSPECT_COUNTS = {
    "homicide": (0.05, 0.50, 0.30, 0.15),
    "violence with injury": (0.42, 0.48, 0.07, 0.03),
    "violence without injury": (0.42, 0.50, 0.06, 0.02),
    "robbery": (0.50, 0.28, 0.15, 0.07),
    "possession of weapons": (0.0, 0.90, 0.08, 0.02),
    "sexual offences": (0.30, 0.66, 0.03, 0.01),
    "other": (0.72, 0.24, 0.03, 0.01),
    "92D": (0.0, 0.95, 0.05, 0.0),
}
VICTIM_COUNTS = {
    "default": (0.16, 0.77, 0.06, 0.01),
    "possession of weapons": (1.0, 0.0, 0.0, 0.0),
    "92D": (1.0, 0.0, 0.0, 0.0),
    "46": (0.70, 0.30, 0.0, 0.0),
    "104": (0.0, 0.90, 0.10, 0.0),
}
WITNESS_SHARE = 0.04
OFFENDER_SHARE = 0.2  # crimes whose suspects are charged, hence recorded as offenders
YOUTH_CO_SUSPECT = 0.7  # co-suspects on a youth crime who are school-aged too

# Relative weights by single year of age.
SCHOOL_AGED_SUSPECT_AGES = {10: 1, 11: 2, 12: 4, 13: 7, 14: 10, 15: 14, 16: 16, 17: 16}
ADULT_SUSPECT_AGES = {a: (a - 14) * np.exp(-(a - 14) / 10.0) for a in range(18, 81)}
CHILD_VICTIM_AGES = {
    a: w for a, w in zip(range(4, 18), (1, 1, 1, 1, 2, 2, 3, 5, 7, 9, 10, 10, 9, 8))
}
VICTIM_AGES = {
    a: (
        0.3
        if a < 4
        else 0.5
        if a < 10
        else 1.2
        if a < 18
        else 2.0
        if a < 30
        else 1.6
        if a < 50
        else 0.9
        if a < 70
        else 0.4
    )
    for a in range(0, 91)
}
VICTIM_BY_CODE = {
    "20B": range(4, 13),
    "17A": range(13, 91),
    "20A": range(13, 91),
    "104": range(20, 56),
}
YOUTH_CRIME_CHILD_VICTIM = 0.5
WITNESS_AGES = range(18, 71)

# (size-1 share, geometric p for sizes >= 2): most people appear once, a few many times.
REPEATS = {"suspect": (0.60, 0.35), "victim": (0.85, 0.5), "witness": (1.0, 1.0)}
MAX_APPEARANCES = 25
SEX = {
    "suspect": (0.84, 0.14, 0.02),
    "victim": (0.52, 0.46, 0.02),
    "sexual_victim": (0.13, 0.85, 0.02),
    "witness": (0.50, 0.48, 0.02),
}
HOME_POINT, HOME_AREA_ONLY = 0.80, 0.10  # otherwise no home recorded
DOB_EMPTY = 0.05
SCHOOL_RECORDED = 0.25
SCHOOL_AGE = (4, 17)


@dataclass
class Persons:
    """One entry per person row (clean), in file order, plus per-person facts."""

    offence: np.ndarray  # index into Offences
    person: np.ndarray  # index into the per-person arrays
    role: np.ndarray
    age: np.ndarray  # age at the offence
    dob_published: np.ndarray
    home_mode: np.ndarray  # "point", "area" or ""
    school_recorded: np.ndarray
    person_ref: list
    dob: np.ndarray  # datetime64[D] per person
    sex: np.ndarray
    ethnicity: np.ndarray
    home_lsoa: np.ndarray
    home_xy: np.ndarray
    school: np.ndarray  # school index, -1 when not at a school or not school-aged

    @property
    def n(self) -> int:
        return len(self.offence)


def _draw(rng, weights: dict, n: int) -> np.ndarray:
    values = np.array(list(weights))
    p = np.array(list(weights.values()), dtype=float)
    return values[rng.choice(len(values), size=n, p=p / p.sum())]


def _counts(rng, table: dict, default_key, offences: Offences) -> np.ndarray:
    """Number of people per crime; a code's own row wins over its category's."""
    n = np.zeros(offences.n, dtype=np.int64)
    key = np.array(
        [
            c if c in table else (cat if cat in table else default_key)
            for c, cat in zip(offences.code, offences.category)
        ]
    )
    for k in table:
        rows = np.flatnonzero(key == k)
        n[rows] = rng.choice(4, size=rows.size, p=table[k])
    return n


def _slots(rng, offences: Offences):
    """(offence, role, age) of every person row, in file order."""
    n_suspects = _counts(rng, SUSPECT_COUNTS, None, offences)
    n_suspects = np.where(offences.youth, np.maximum(n_suspects, 1), n_suspects)
    n_victims = _counts(rng, VICTIM_COUNTS, "default", offences)
    n_witnesses = (rng.random(offences.n) < WITNESS_SHARE).astype(np.int64)
    charged = rng.random(offences.n) < OFFENDER_SHARE
    parts = []
    for order, (counts, kind) in enumerate(
        ((n_suspects, "suspect"), (n_victims, "victim"), (n_witnesses, "witness"))
    ):
        offence = np.repeat(np.arange(offences.n), counts)
        rank = np.arange(offence.size) - np.repeat(np.cumsum(counts) - counts, counts)
        parts.append((offence, np.full(offence.size, order), rank, kind))
    offence = np.concatenate([p[0] for p in parts])
    order = np.lexsort(
        (np.concatenate([p[2] for p in parts]), np.concatenate([p[1] for p in parts]), offence)
    )
    kind = np.concatenate([np.full(p[0].size, p[3]) for p in parts])[order]
    rank = np.concatenate([p[2] for p in parts])[order]
    offence = offence[order]
    role = np.where(
        kind == "suspect",
        np.where(charged[offence], OFFENDER, SUSPECT),
        np.where(kind == "victim", VICTIM, WITNESS),
    )
    age = _ages(rng, offences, offence, kind, rank)
    return offence, kind, role, age


def _ages(rng, offences, offence, kind, rank) -> np.ndarray:
    n = len(offence)
    youth = offences.youth[offence]
    code = offences.code[offence]
    age = _draw(rng, VICTIM_AGES, n)
    suspect = kind == "suspect"
    school_aged = suspect & youth & ((rank == 0) | (rng.random(n) < YOUTH_CO_SUSPECT))
    age = np.where(suspect, _draw(rng, ADULT_SUSPECT_AGES, n), age)
    age = np.where(school_aged, _draw(rng, SCHOOL_AGED_SUSPECT_AGES, n), age)
    child_victim = (kind == "victim") & youth & (rng.random(n) < YOUTH_CRIME_CHILD_VICTIM)
    age = np.where(child_victim, _draw(rng, CHILD_VICTIM_AGES, n), age)
    for c, ages in VICTIM_BY_CODE.items():
        rows = np.flatnonzero((kind == "victim") & (code == c))
        age[rows] = rng.choice(np.array(ages), size=rows.size)
    rows = np.flatnonzero(kind == "witness")
    age[rows] = rng.choice(np.array(WITNESS_AGES), size=rows.size)
    return age


def _stage(age: np.ndarray) -> np.ndarray:
    """Life stage, so that one person's appearances stay in one stage of schooling."""
    return np.searchsorted(np.array([4, 11, 16, 18, 25]), age, side="right")


def _group_sizes(rng, n: int, size_one: float, p: float) -> np.ndarray:
    sizes = np.where(rng.random(n) < size_one, 1, 1 + rng.geometric(p, size=n))
    sizes = np.minimum(sizes, MAX_APPEARANCES)
    return sizes[: np.searchsorted(np.cumsum(sizes), n) + 1]


def _people(rng, offence, kind, age, day):
    """Person index of each slot, and each person's birth date (their first slot's)."""
    implied_dob = day - 1 - np.floor((age + rng.random(len(age))) * 365.2425).astype(np.int64)
    person = np.empty(len(age), dtype=np.int64)
    dob = np.empty(len(age), dtype=np.int64)
    next_id = 0
    for k, (size_one, p) in REPEATS.items():
        rows = np.flatnonzero(kind == k)
        stage = _stage(age[rows])
        order = np.lexsort((rng.random(rows.size), implied_dob[rows], stage))
        rows, stage = rows[order], stage[order]
        # A run starts where a drawn group size ends or the life stage changes.
        starts = np.zeros(rows.size, dtype=bool)
        starts[(np.cumsum(_group_sizes(rng, rows.size, size_one, p)) - 1)[:-1] + 1] = True
        starts[:1] = True
        starts[1:] |= stage[1:] != stage[:-1]
        ids = np.cumsum(starts) - 1
        person[rows] = next_id + ids
        dob[rows] = implied_dob[rows[np.flatnonzero(starts)[ids]]]
        next_id += int(starts.sum())
    # Someone can't be on one crime twice: later duplicates become new people.
    key = np.lexsort((np.arange(len(person)), offence, person))
    repeat = np.zeros(len(person), dtype=bool)
    repeat[key[1:]] = (person[key[1:]] == person[key[:-1]]) & (
        offence[key[1:]] == offence[key[:-1]]
    )
    rows = np.flatnonzero(repeat)
    person[rows] = next_id + np.arange(rows.size)
    dob[rows] = implied_dob[rows]
    person = np.unique(person, return_inverse=True)[1]  # number the people 0..n-1
    # A run's slots share its earliest birth date; the minimum also guarantees that the birth
    # precedes every one of the person's crimes.
    person_dob = np.full(person.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(person_dob, person, np.minimum(dob, day - 1))
    return person, person_dob.astype("datetime64[D]")


def _year(d: np.ndarray) -> np.ndarray:
    return d.astype("datetime64[Y]").astype(np.int64)


def _month_day(d: np.ndarray) -> np.ndarray:
    """Sortable month and day within the year."""
    month = d.astype("datetime64[M]")
    return (month - d.astype("datetime64[Y]")).astype(np.int64) * 32 + (d - month).astype(np.int64)


def age_on(dob: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Completed years on `day` for a birth date `dob` (both datetime64[D])."""
    return _year(day) - _year(dob) - (_month_day(day) < _month_day(dob))


def _area_weights(pop: Population, offences: Offences) -> dict:
    """Where people of each role class tend to live."""
    located = offences.lsoa[offences.lsoa >= 0]
    rate = (np.bincount(located, minlength=len(pop.total)) + 1) / pop.total
    return {
        "suspect": np.exp(0.4 * pop.deprivation_z) * (rate / rate.mean()) ** 0.3,
        "victim": np.exp(0.3 * pop.deprivation_z),
        "witness": np.ones(len(pop.total)),
    }


def _children(rng, catchment: Catchment, ages, weights):
    """(home area, school) for children of the given ages, from the catchment truth."""
    area = np.zeros(len(ages), dtype=np.int64)
    school = np.zeros(len(ages), dtype=np.int64)
    for a in np.unique(ages):
        rows = np.flatnonzero(ages == a)
        f_area, f_school, f_count = catchment.flows[a]
        p = f_count * weights[f_area]
        pick = rng.choice(len(p), size=rows.size, p=p / p.sum())
        area[rows], school[rows] = f_area[pick], f_school[pick]
    return area, school


def _person_refs(rng, n: int) -> list:
    """Distinct 'P' + 8 digits, unordered; 9xxxxxxx is left free for the broken rows."""
    gap = max(2, 80_000_000 // max(n, 1))
    numbers = 10_000_000 + np.cumsum(rng.integers(1, gap, size=n))
    return [f"P{v:08d}" for v in rng.permutation(numbers)]


def _first_slot(person: np.ndarray) -> np.ndarray:
    """Each person's first row."""
    first = np.full(person.max() + 1, len(person))
    np.minimum.at(first, person, np.arange(len(person)))
    return first


def _homes_and_schools(rng, pop, catchment, offences, person, kind, offence_day, dob):
    """Per person: home area and school (children from the catchment, adults by population)."""
    n_people = person.max() + 1
    first = _first_slot(person)
    person_kind = kind[first]
    slot_age = age_on(dob[person], offence_day)
    school_aged = (slot_age >= SCHOOL_AGE[0]) & (slot_age <= SCHOOL_AGE[1])
    # A child's identity is fixed at their first school-aged appearance.
    child_slot = np.full(n_people, len(person))
    np.minimum.at(child_slot, person[school_aged], np.flatnonzero(school_aged))
    is_child = child_slot < len(person)
    weights = _area_weights(pop, offences)
    home = np.zeros(n_people, dtype=np.int64)
    school = np.full(n_people, -1)
    for k, w in weights.items():
        children = np.flatnonzero(is_child & (person_kind == k))
        home[children], school[children] = _children(
            rng, catchment, slot_age[child_slot[children]], w
        )
        adults = np.flatnonzero(~is_child & (person_kind == k))
        infant = slot_age[first[adults]] < SCHOOL_AGE[0]
        for rows, residents in (
            (adults[infant], pop.by_age[:, :4].sum(1)),
            (adults[~infant], pop.by_age[:, 18:].sum(1)),
        ):
            p = residents * w
            home[rows] = rng.choice(len(p), size=rows.size, p=p / p.sum())
    return home, school, slot_age


def simulate_persons(
    rng,
    geo: Geography,
    pop: Population,
    offences: Offences,
    catchment: Catchment,
    ethnic_mix: EthnicMix,
) -> Persons:
    offence, kind, role, age = _slots(rng, offences)
    day = offences.committed_from.astype("datetime64[D]")
    offence_day = day[offence]
    person, dob = _people(rng, offence, kind, age, offence_day.astype(np.int64))
    n_people = person.max() + 1
    home, school, slot_age = _homes_and_schools(
        rng, pop, catchment, offences, person, kind, offence_day, dob
    )
    first = _first_slot(person)
    sexual = offences.category[offence[first]] == "sexual offences"
    sex_key = np.where((kind[first] == "victim") & sexual, "sexual_victim", kind[first])
    sex = np.empty(n_people, dtype=object)
    for k, p in SEX.items():
        rows = np.flatnonzero(sex_key == k)
        sex[rows] = np.array(["M", "F", "U"])[rng.choice(3, size=rows.size, p=p)]
    # One uniform draw per person, as rng.choice would take, so the later draws are unchanged.
    ethnicity = person_ethnicity(rng.random(n_people), ethnic_mix, home, slot_age[first])
    n = len(person)
    u = rng.random(n)
    school_aged = (slot_age >= SCHOOL_AGE[0]) & (slot_age <= SCHOOL_AGE[1])
    return Persons(
        offence=offence,
        person=person,
        role=role,
        age=slot_age,
        dob_published=rng.random(n) >= DOB_EMPTY,
        home_mode=np.select(
            [u < HOME_POINT, u < HOME_POINT + HOME_AREA_ONLY], ["point", "area"], ""
        ),
        school_recorded=school_aged & (school[person] >= 0) & (rng.random(n) < SCHOOL_RECORDED),
        person_ref=_person_refs(rng, n_people),
        dob=dob,
        sex=sex,
        ethnicity=ethnicity,
        home_lsoa=home,
        home_xy=points_in_areas(rng, geo, home),
        school=school,
    )
