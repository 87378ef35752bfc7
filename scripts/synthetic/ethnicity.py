"""Residents by ethnic group and age band in each area (as Census 2021's ethnic group tables,
the ONS 5 broad groups), and each person's recorded ethnic group.

The mix is illustrative, not calibrated: roughly a West Midlands conurbation, more diverse in
more deprived areas and among children, with area-to-area noise. A person's ethnic group is
drawn from the mix of their home area at their age band, and a few are not recorded. So, by
construction, school-aged suspects are in proportion to the children of the areas they live
in: a bias check that compares them with the resident population should find ratios near 1
once it weights by where they live (the truth file gives the expected shares).
"""

from dataclasses import dataclass

import numpy as np

from .population import Population

GROUPS = ("White", "Asian", "Black", "Mixed", "Other")
BASE_MIX = np.array([0.72, 0.16, 0.06, 0.035, 0.025])
# Change in each group's log-odds per standard deviation of deprivation, and for children.
DEPRIVATION_SLOPE = np.array([-0.45, 0.45, 0.35, 0.20, 0.25])
CHILD_SHIFT = np.array([-0.35, 0.25, 0.15, 0.45, 0.10])
AREA_NOISE_SD = 0.35
# Age bands as Census tables give them (inclusive); 90 is 90 and over.
AGE_BANDS = ((0, 9), (10, 15), (16, 17), (18, 90))
NOT_RECORDED = 0.03


@dataclass
class EthnicMix:
    share: np.ndarray  # (n_areas, n_bands, n_groups), each (area, band) sums to 1
    population: np.ndarray  # (n_areas, n_bands, n_groups) residents, integers


def band_of(age: np.ndarray) -> np.ndarray:
    lows = np.array([low for low, _ in AGE_BANDS])
    return np.searchsorted(lows, np.clip(age, 0, 90), side="right") - 1


def _split(total: int, share: np.ndarray) -> np.ndarray:
    """Integers summing to total, in proportion to share (largest remainder)."""
    exact = total * share
    whole = np.floor(exact).astype(np.int64)
    left = total - whole.sum()
    whole[np.argsort(-(exact - whole), kind="stable")[:left]] += 1
    return whole


def build_ethnic_mix(rng: np.random.Generator, pop: Population) -> EthnicMix:
    n = len(pop.imd_score)
    noise = rng.normal(0.0, AREA_NOISE_SD, size=(n, len(GROUPS)))
    share = np.empty((n, len(AGE_BANDS), len(GROUPS)))
    population = np.zeros_like(share, dtype=np.int64)
    for b, (low, high) in enumerate(AGE_BANDS):
        child = 1.0 if high <= 17 else 0.0
        logit = (
            np.log(BASE_MIX)
            + pop.deprivation_z[:, None] * DEPRIVATION_SLOPE
            + child * CHILD_SHIFT
            + noise
        )
        weight = np.exp(logit - logit.max(axis=1, keepdims=True))
        share[:, b] = weight / weight.sum(axis=1, keepdims=True)
        residents = pop.by_age[:, low : high + 1].sum(axis=1)
        for i in range(n):
            population[i, b] = _split(int(residents[i]), share[i, b])
    return EthnicMix(share=share, population=population)


def person_ethnicity(u: np.ndarray, mix: EthnicMix, home: np.ndarray, age: np.ndarray):
    """Each person's recorded group ('' when not recorded), from one uniform draw each: the
    draw below NOT_RECORDED is 'not recorded', the rest picks from the home area's mix."""
    cdf = np.cumsum(mix.share[home, band_of(age)], axis=1)
    rescaled = (u - NOT_RECORDED) / (1 - NOT_RECORDED)
    pick = np.minimum((rescaled[:, None] >= cdf).sum(axis=1), len(GROUPS) - 1)
    return np.where(u < NOT_RECORDED, "", np.array(GROUPS, dtype=object)[pick]).astype(object)


def ethnicity_rows(lsoa_code, mix: EthnicMix) -> list:
    """lsoa_ethnicity.csv rows: lsoa_code, age_band, ethnic_group, population."""
    return [
        [lsoa_code[i], f"{low}-{high}" if high < 90 else f"{low}+", group, str(count)]
        for i in range(len(lsoa_code))
        for b, (low, high) in enumerate(AGE_BANDS)
        for g, (group, count) in enumerate(zip(GROUPS, mix.population[i, b]))
    ]
