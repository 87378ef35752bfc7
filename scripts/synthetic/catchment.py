"""Which school each resident child attends: the catchment ground truth.

Deliberately not the pipeline's gravity model, so the pipeline is tested against a different
process. Children choose mainstream state schools by a multinomial logit: utility =
attractiveness - beta * distance + an area-school affinity (faith, siblings, transport links)
+ a same-LA bonus, with a minority of "choosy" families who travel much further. Popular
schools fill up: shadow prices rise until demand fits capacity. beta is calibrated per stage to
the target mean straight-line distance. Special schools and pupil referral units draw from their
whole local authority with a mild distance preference, independent schools from a wide radius
and more from less deprived areas.
Everything works on counts per area x age x school (multinomial draws), never on individual
children.

How families choose is one of several documented choice processes (CHOICE_PROCESSES, the
generator's --choice), each a pattern the literature on school choice in England reports, so
that the pipeline can be scored on worlds it was not shaped on. The pipeline is never told
which process made a world.
"""

from dataclasses import dataclass, field

import numpy as np

from .geography import Geography
from .population import Population
from .schools import Schools

AGES = range(2, 18)  # 2-3 for nursery schools, 4-17 school age
TARGET_MEAN_KM = {"primary": 2.0, "secondary": 4.0}
INITIAL_BETA = {"primary": 1.5, "secondary": 0.6}  # per km
# (share of families, multiplier of beta): most choose locally, a minority travel further.
# Set so that the straight-line distances fall in the National Travel Survey's bands for trips
# to school (road miles / 1.3): roughly, aged 5-10, half under 1 mile, a quarter 1-2 miles, a
# fifth 2-5 and a twentieth further; aged 11-16, a sixth under 1 mile, a quarter 1-2, two
# fifths 2-5 and a sixth 5-10 miles. (An earlier mix, most families very local plus a third
# to a half choosing almost anywhere in the region, gave a two-humped distribution that no
# survey shows.) `python scripts/generate_synthetic_extract.py` prints the result.
CHOICE_MIX = {"primary": ((0.7, 1.0), (0.3, 0.2)), "secondary": ((0.55, 1.0), (0.45, 0.25))}
AFFINITY_SD = 0.3
SAME_LA_BONUS = 0.7
CAPACITY_SLACK = 1.06  # surplus places overall
FIT_ITERATIONS = 30
MIN_DISTANCE_KM = 0.2  # a child's home is not at the area's centre

NURSERY_SHARE = 0.05  # of 2-3 year olds, at a maintained nursery school
NURSERY_RANGE_KM = 1.2
SPECIAL_SHARE = {"primary": 0.010, "secondary": 0.018}
SPECIAL_RANGE_KM = 10.0
PRU_SHARE = 0.004  # of 11-15 year olds, more in deprived areas
INDEPENDENT_SHARE = 0.035  # more in affluent areas
INDEPENDENT_LEAN = 0.8  # per standard deviation of the area's deprivation
INDEPENDENT_RANGE_KM = 6.0
# Provision chosen by size and distance decay only: kind -> (decay km, only in the child's LA).
LOCAL_PROVISION = {
    "nursery": (NURSERY_RANGE_KM, False),
    "special": (SPECIAL_RANGE_KM, True),
    "pru": (SPECIAL_RANGE_KM, True),
    "independent": (INDEPENDENT_RANGE_KM, False),
}
NOT_IN_SCHOOL = {16: 0.38, 17: 0.48}  # colleges, apprenticeships, NEET
HOME_EDUCATED = 0.004


@dataclass(frozen=True)
class ChoiceProcess:
    """How families choose a mainstream state school (and how far special provision draws).

    decay: 'exponential' (utility falls by beta per km) or 'power' (by beta per log km: a
      long tail of journeys, as in Fotheringham's and others' fits to school flows).
    same_la_bonus: utility of a school in the family's own local authority (admissions
      criteria, transport and information all favour it; the DfE counts 9% of secondary
      pupils crossing an authority boundary).
    faith_share, faith_bonus, faith_beta_factor: families of a faith (a share), who prefer
      schools with a religious character and travel further to them; others slightly
      avoid them (oversubscribed church schools admit by faith first).
    selective_share, selective_beta_factor: families whose children sit the grammar school
      test (a share of secondary families): selective schools admit only them and draw them
      from far (Burgess and colleagues on English grammar schools).
    nearest_share: share of families who simply take their nearest eligible school (about
      30% of London secondary pupils, Harris and colleagues).
    capacity_slack, attractiveness_scale: surplus places overall, and how strongly schools
      differ in popularity (tight places and strong preferences: popular schools fill and
      the overflow goes to the next choice).
    special_range_km: distance decay of special schools and PRUs within their authority.
    independent_lean, independent_range_km: how much more often children of less deprived
      areas attend a fee-paying school (per standard deviation of deprivation), and the
      distance decay of their choice among such schools.
    """

    name: str
    description: str
    decay: str = "exponential"
    mix: dict = field(default_factory=lambda: CHOICE_MIX)
    same_la_bonus: float = SAME_LA_BONUS
    faith_share: float = 0.0
    faith_bonus: float = 0.0
    faith_beta_factor: float = 1.0
    selective_share: float = 0.0
    selective_beta_factor: float = 1.0
    nearest_share: dict = field(default_factory=lambda: {"primary": 0.0, "secondary": 0.0})
    capacity_slack: float = CAPACITY_SLACK
    attractiveness_scale: float = 1.0
    special_range_km: float = SPECIAL_RANGE_KM
    independent_lean: float = INDEPENDENT_LEAN
    independent_range_km: float = INDEPENDENT_RANGE_KM


CHOICE_PROCESSES = {
    process.name: process
    for process in (
        ChoiceProcess(
            "baseline",
            "logit on distance (exponential), a local and a further-travelling mix of "
            "families, a moderate own-authority preference, shadow prices for full schools",
        ),
        ChoiceProcess(
            "power_decay",
            "distance deters as a power law (utility falls with log distance): more long "
            "journeys than an exponential decay with the same mean",
            decay="power",
        ),
        ChoiceProcess(
            "faith_and_selective",
            "a quarter of families prefer church schools and travel twice as far to them; "
            "a fifth of secondary families sit the grammar test, and selective schools take "
            "only them, from far",
            faith_share=0.25,
            faith_bonus=1.5,
            faith_beta_factor=0.5,
            selective_share=0.2,
            selective_beta_factor=0.3,
        ),
        ChoiceProcess(
            "own_authority",
            "families keep to their own local authority, primary above all",
            same_la_bonus=2.5,
        ),
        ChoiceProcess(
            "full_schools",
            "few spare places and strong preferences: popular schools fill up and the "
            "overflow goes to the next choice",
            capacity_slack=1.0,
            attractiveness_scale=2.0,
        ),
        ChoiceProcess(
            "nearest_school",
            "many families take their nearest school (45% of primary, 30% of secondary), "
            "the rest choose as in baseline",
            nearest_share={"primary": 0.45, "secondary": 0.30},
        ),
        ChoiceProcess(
            "mixed",
            "all of the above at once, milder: power-law decay, church schools and grammar "
            "schools, a strong own-authority preference, tight places, nearest-school families",
            decay="power",
            same_la_bonus=1.5,
            faith_share=0.15,
            faith_bonus=1.0,
            faith_beta_factor=0.6,
            selective_share=0.15,
            selective_beta_factor=0.4,
            nearest_share={"primary": 0.25, "secondary": 0.15},
            capacity_slack=1.02,
            attractiveness_scale=1.5,
            special_range_km=6.0,
        ),
        ChoiceProcess(
            "local_independent",
            "fee-paying schools draw like day schools: from nearby, and barely more from "
            "less deprived areas than from the rest; otherwise as baseline",
            independent_lean=0.2,
            independent_range_km=3.0,
        ),
    )
}


@dataclass
class Catchment:
    """True pupils by age: triplets (area, school, count); school -1 means not at a school."""

    flows: dict  # age -> (area, school, count) arrays
    pupils: np.ndarray  # per school
    mean_km: dict  # stage -> mean straight-line distance of mainstream pupils
    nearest_share: dict  # stage -> share of mainstream pupils at their nearest school

    def school_totals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All ages summed: (area, school, pupils), schools only."""
        area = np.concatenate([f[0] for f in self.flows.values()])
        school = np.concatenate([f[1] for f in self.flows.values()])
        count = np.concatenate([f[2] for f in self.flows.values()])
        keep = school >= 0
        n_areas = area.max() + 1
        key = school[keep] * n_areas + area[keep]
        unique, inverse = np.unique(key, return_inverse=True)
        total = np.bincount(inverse, count[keep])
        return unique % n_areas, unique // n_areas, total.astype(np.int64)


def _stage(age: int) -> str:
    return "primary" if age <= 10 else "secondary"


def _row_normalise(weights: np.ndarray) -> np.ndarray:
    total = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)


def _softmax_mix(base, cost, beta: float, mix, families) -> np.ndarray:
    """Choice probabilities over the columns of `base` (areas x schools): for each family
    type (share, per-school utility offset, per-school multiplier of beta) and each component
    of the mix (share, multiplier of beta), a logit on base + offset - beta * cost."""
    probs = np.zeros_like(base)
    for family_share, offset, beta_factor in families:
        if family_share <= 0:
            continue
        for share, factor in mix:
            utility = base + offset[None, :] - (beta * factor) * beta_factor[None, :] * cost
            utility -= utility.max(axis=1, keepdims=True)
            np.exp(utility, out=utility)
            probs += family_share * share * _row_normalise(utility)
    return probs


def _families(process: ChoiceProcess, schools, cols, stage: str) -> list:
    """The family types of a process over the schools `cols`: (share, offset, beta factor)."""
    ones = np.ones(len(cols), dtype=np.float32)
    faith = schools.is_faith[cols].astype(np.float32)
    selective = schools.is_selective[cols] & (stage == "secondary")
    selective_share = process.selective_share if selective.any() else 0.0
    closed = np.where(selective, -50.0, 0.0).astype(np.float32) if selective_share else 0 * ones
    families = [
        (
            1.0 - process.faith_share - selective_share,
            closed - 0.3 * process.faith_bonus * faith,
            ones,
        ),
        (
            process.faith_share,
            closed + process.faith_bonus * faith,
            np.where(faith > 0, process.faith_beta_factor, 1.0).astype(np.float32),
        ),
    ]
    if selective_share:
        families.append(
            (
                selective_share,
                np.where(selective, 2.0, 0.0).astype(np.float32),
                np.where(selective, process.selective_beta_factor, 1.0).astype(np.float32),
            )
        )
    return families


class _MainstreamModel:
    """Mainstream state-school choice, fitted once, then queried per age."""

    def __init__(self, rng, geo, schools, dist, demand_by_age, process: ChoiceProcess):
        self.process = process
        self.dist = dist
        self.cost = np.log(dist) if process.decay == "power" else dist
        self.schools = schools
        mainstream = schools.kind == "mainstream"
        self.base = (
            process.attractiveness_scale * schools.attractiveness[None, :]
            + rng.normal(0.0, AFFINITY_SD, dist.shape)
            + process.same_la_bonus * (geo.la[:, None] == schools.la[None, :])
        ).astype(np.float32)
        # Ages with the same eligible schools and stage share one choice model ("group").
        self.stage, self.cols, self.demand, self.group_of_age = [], [], [], {}
        index = {}
        for age, demand in demand_by_age.items():
            mask = schools.covers(age) & mainstream
            key = (_stage(age), mask.tobytes())
            if key not in index:
                index[key] = len(self.cols)
                self.stage.append(_stage(age))
                self.cols.append(np.flatnonzero(mask))
                self.demand.append(np.zeros(len(demand)))
            self.demand[index[key]] += demand
            self.group_of_age[age] = index[key]
        self.capacity = self._capacity(demand_by_age, mainstream)
        self.shadow = np.zeros(schools.n, dtype=np.float32)
        self.beta = (
            dict(INITIAL_BETA) if process.decay == "exponential" else {k: 2.0 for k in INITIAL_BETA}
        )
        self.families = [_families(process, schools, c, st) for c, st in zip(self.cols, self.stage)]
        self.nearest = [
            np.eye(len(c), dtype=np.float32)[np.argmin(dist[:, c], axis=1)] for c in self.cols
        ]
        self.probs = []

    def _capacity(self, demand_by_age, mainstream) -> np.ndarray:
        """Each age's pupils shared among eligible schools by size, plus some slack."""
        fair = np.zeros(self.schools.n)
        for age, demand in demand_by_age.items():
            eligible = self.schools.covers(age) & mainstream
            weights = np.where(eligible, self.schools.size, 0.0)
            fair += demand.sum() * weights / weights.sum()
        return self.process.capacity_slack * fair

    def fit(self) -> None:
        for _ in range(FIT_ITERATIONS):
            self._solve()
            load = np.zeros(self.schools.n)
            km = {stage: [0.0, 0.0] for stage in TARGET_MEAN_KM}
            for stage, cols, demand, probs in zip(self.stage, self.cols, self.demand, self.probs):
                flow = demand[:, None] * probs
                load[cols] += flow.sum(axis=0)
                km[stage][0] += (flow * self.dist[:, cols]).sum()
                km[stage][1] += flow.sum()
            # Over-subscribed schools get dearer (never cheaper than free) until they fit...
            with np.errstate(divide="ignore"):
                excess = np.log(np.where(load > 0, load / np.maximum(self.capacity, 1e-9), 1.0))
            self.shadow = np.maximum(0.0, self.shadow + 0.5 * excess).astype(np.float32)
            # ...and distance matters more (or less) until the mean distance hits the target.
            for stage, (total_km, pupils) in km.items():
                self.beta[stage] *= (total_km / pupils / TARGET_MEAN_KM[stage]) ** 1.2
        self._solve()

    def _solve(self) -> None:
        self.probs = []
        for stage, cols, families, nearest in zip(
            self.stage, self.cols, self.families, self.nearest
        ):
            chosen = _softmax_mix(
                self.base[:, cols] - self.shadow[cols],
                self.cost[:, cols],
                self.beta[stage],
                self.process.mix[stage],
                families,
            )
            share = self.process.nearest_share[stage]
            self.probs.append((1 - share) * chosen + share * nearest if share else chosen)

    def probabilities(self, age: int) -> tuple[np.ndarray, np.ndarray]:
        group = self.group_of_age[age]
        return self.cols[group], self.probs[group]


def _local_choice(dist, eligible, size, range_km, same_la=None) -> np.ndarray:
    """Probabilities over eligible schools by size and distance decay (optionally own LA)."""
    weights = np.where(eligible[None, :], size[None, :] * np.exp(-dist / range_km), 0.0)
    if same_la is None:
        return _row_normalise(weights)
    restricted = _row_normalise(weights * same_la)
    fallback = restricted.sum(axis=1) == 0  # no such school in the LA: look further
    restricted[fallback] = _row_normalise(weights[fallback])
    return restricted


def _shares(pop: Population, age: int, independent_lean: float = INDEPENDENT_LEAN) -> dict:
    """Probability that a child of this age in each area is in each kind of provision."""
    n = len(pop.deprivation_z)
    z = pop.deprivation_z
    if age < 4:
        return {"nursery": np.full(n, NURSERY_SHARE), "none": np.full(n, 1 - NURSERY_SHARE)}
    shares = {
        "special": np.full(n, SPECIAL_SHARE[_stage(age)]),
        "pru": PRU_SHARE * np.exp(0.5 * z) if 11 <= age <= 15 else np.zeros(n),
        "independent": np.minimum(INDEPENDENT_SHARE * np.exp(-independent_lean * z), 0.15),
        "none": np.full(n, NOT_IN_SCHOOL.get(age, HOME_EDUCATED)),
    }
    shares["mainstream"] = 1.0 - sum(shares.values())
    return shares


class _ProvisionModel:
    """Full choice probabilities (every school plus 'not at a school') for one age."""

    def __init__(self, geo, pop, schools, dist, mainstream: _MainstreamModel):
        self.geo, self.pop, self.schools, self.dist = geo, pop, schools, dist
        self.mainstream = mainstream
        self.same_la = geo.la[:, None] == schools.la[None, :]
        self.provision = dict(LOCAL_PROVISION)
        for kind in ("special", "pru"):
            self.provision[kind] = (mainstream.process.special_range_km, True)
        self.provision["independent"] = (mainstream.process.independent_range_km, False)

    def probabilities(self, age: int) -> np.ndarray:
        s = self.schools
        probs = np.zeros((self.geo.n, s.n + 1))
        shares = _shares(self.pop, age, self.mainstream.process.independent_lean)
        covers = s.covers(age)
        for kind, share in shares.items():
            if kind == "none":
                probs[:, -1] += share
            elif kind == "mainstream":
                cols, choice = self.mainstream.probabilities(age)
                probs[:, cols] += share[:, None] * choice
            else:
                range_km, own_la = self.provision[kind]
                eligible = covers & (s.kind == kind)
                choice = _local_choice(
                    self.dist, eligible, s.size, range_km, self.same_la if own_la else None
                )
                probs[:, :-1] += share[:, None] * choice
        return _row_normalise(probs)


def _distance_km(geo: Geography, schools: Schools) -> np.ndarray:
    delta = geo.seeds[:, None, :] - schools.xy[None, :, :]
    return np.maximum(np.hypot(delta[..., 0], delta[..., 1]) / 1000.0, MIN_DISTANCE_KM)


def _stage_statistics(flows, schools, dist) -> tuple[dict, dict]:
    """Mean distance and nearest-school share of mainstream pupils, by stage."""
    sums = {stage: np.zeros(3) for stage in TARGET_MEAN_KM}
    mainstream = schools.kind == "mainstream"
    for age, (area, school, count) in flows.items():
        if age < 4:
            continue
        eligible = np.flatnonzero(schools.covers(age) & mainstream)
        nearest = eligible[np.argmin(dist[:, eligible], axis=1)]
        keep = school >= 0
        keep[keep] = mainstream[school[keep]]
        a, sc, c = area[keep], school[keep], count[keep]
        sums[_stage(age)] += [c.sum(), (c * dist[a, sc]).sum(), c[nearest[a] == sc].sum()]
    mean_km = {k: round(v[1] / v[0], 3) for k, v in sums.items()}
    nearest_share = {k: round(v[2] / v[0], 3) for k, v in sums.items()}
    return mean_km, nearest_share


def simulate_catchment(
    rng, geo: Geography, pop: Population, schools: Schools, process: str = "baseline"
) -> Catchment:
    dist = _distance_km(geo, schools)
    choice = CHOICE_PROCESSES[process]
    demand = {
        a: pop.by_age[:, a] * _shares(pop, a, choice.independent_lean)["mainstream"]
        for a in AGES
        if a >= 4
    }
    mainstream = _MainstreamModel(rng, geo, schools, dist.astype(np.float32), demand, choice)
    mainstream.fit()
    provision = _ProvisionModel(geo, pop, schools, dist, mainstream)
    flows = {}
    for age in AGES:
        counts = rng.multinomial(pop.by_age[:, age], provision.probabilities(age))
        area, col = np.nonzero(counts)
        school = np.where(col == schools.n, -1, col)
        flows[age] = (area, school, counts[area, col])
    pupils = np.zeros(schools.n, dtype=np.int64)
    for _, school, count in flows.values():
        np.add.at(pupils, school[school >= 0], count[school >= 0])
    mean_km, nearest_share = _stage_statistics(flows, schools, dist)
    return Catchment(flows=flows, pupils=pupils, mean_km=mean_km, nearest_share=nearest_share)
