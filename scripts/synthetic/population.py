"""Deprivation and resident population by single year of age for every area.

Deprivation is a smooth field with a few deprived cores (inner city, older industrial towns)
and affluent suburbs, ranked and mapped onto a skewed IMD-like score. Age structure mixes a
young profile (deprived urban cores) with an older one (affluent edges).
"""

from dataclasses import dataclass

import numpy as np
from scipy.stats import gamma

from .geography import Geography

MAX_AGE = 90  # 90 means 90 and over
# Deprivation cores (easting, northing, weight, sigma m); negative weights are affluent areas.
DEPRIVATION_BUMPS = (
    (410000, 287000, 1.00, 3000),
    (404500, 287800, 0.80, 2500),
    (407000, 283000, 0.50, 2200),
    (392500, 295500, 0.80, 2500),
    (395000, 290000, 0.60, 2200),
    (399500, 290500, 0.80, 2300),
    (401500, 297500, 0.60, 2200),
    (416000, 277000, -0.70, 5000),
    (412000, 297500, -0.60, 4000),
    (397000, 282000, -0.30, 4000),
)
SMOOTH_NOISE_WAVES = 6
AREA_NOISE_SD = 0.12
# IMD-like score: gamma quantiles chosen so ~25% of areas are in England's most deprived decile.
SCORE_SHAPE, SCORE_SCALE, SCORE_MAX = 2.0, 16.7, 92.0
# England IMD score cut-offs between deciles 1|2, 2|3, ..., 9|10 (most deprived first).
ENGLAND_DECILE_CUTS = (45.0, 34.2, 27.6, 22.7, 18.6, 15.1, 12.1, 9.4, 6.8)

MEAN_RESIDENTS, SD_RESIDENTS = 1690, 110
# Relative single-year-of-age weights at these ages, interpolated in between.
AGE_KNOTS = (0, 5, 10, 15, 18, 20, 25, 30, 35, 40, 50, 60, 70, 80, 89)
# fmt: off
YOUNG_PROFILE = (1.75, 1.75, 1.70, 1.60, 1.60, 1.90, 2.00, 1.75, 1.50, 1.35, 1.15, 0.90, 0.60,
                 0.35, 0.15)
OLDER_PROFILE = (1.05, 1.10, 1.20, 1.25, 1.10, 0.90, 0.95, 1.05, 1.15, 1.30, 1.55, 1.50, 1.35,
                 0.85, 0.35)
# fmt: on
NINETY_PLUS_YEARS = 4  # the open age group weighs about as much as four single years at 89


@dataclass
class Population:
    by_age: np.ndarray  # (n_areas, 91) residents, age 90 = 90+
    imd_score: np.ndarray
    imd_decile: np.ndarray
    deprivation_z: np.ndarray  # standardised deprivation, used to weight other draws

    @property
    def total(self) -> np.ndarray:
        return self.by_age.sum(axis=1)


def _deprivation_field(rng, xy: np.ndarray) -> np.ndarray:
    field = np.zeros(len(xy))
    for x, y, weight, sigma in DEPRIVATION_BUMPS:
        field += weight * np.exp(-((xy[:, 0] - x) ** 2 + (xy[:, 1] - y) ** 2) / (2 * sigma**2))
    for _ in range(SMOOTH_NOISE_WAVES):  # gentle random waves, 8-20 km long
        angle, phase = rng.uniform(0, 2 * np.pi, size=2)
        wavelength = rng.uniform(8000, 20000)
        along = xy[:, 0] * np.cos(angle) + xy[:, 1] * np.sin(angle)
        field += 0.12 * np.cos(2 * np.pi * along / wavelength + phase)
    return field + rng.normal(0.0, AREA_NOISE_SD, size=len(xy))


def _imd_from_field(field: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    quantile = (np.argsort(np.argsort(field, kind="stable"), kind="stable") + 0.5) / len(field)
    score = np.minimum(gamma.ppf(quantile, SCORE_SHAPE, scale=SCORE_SCALE), SCORE_MAX)
    score = np.round(score, 3)
    decile = 1 + np.sum(score[:, None] < np.array(ENGLAND_DECILE_CUTS)[None], axis=1)
    return score, decile


def _age_profiles(youth_mix: np.ndarray) -> np.ndarray:
    ages = np.arange(MAX_AGE)
    young = np.interp(ages, AGE_KNOTS, YOUNG_PROFILE)
    older = np.interp(ages, AGE_KNOTS, OLDER_PROFILE)
    young = np.append(young, young[-1] * NINETY_PLUS_YEARS)
    older = np.append(older, older[-1] * NINETY_PLUS_YEARS)
    mixed = youth_mix[:, None] * young[None] + (1 - youth_mix[:, None]) * older[None]
    return mixed / mixed.sum(axis=1, keepdims=True)


def build_population(rng: np.random.Generator, geo: Geography) -> Population:
    field = _deprivation_field(rng, geo.seeds)
    score, decile = _imd_from_field(field)
    deprivation_rank = np.argsort(np.argsort(score, kind="stable"), kind="stable") / geo.n
    urban = np.clip(geo.density / np.quantile(geo.density, 0.95), 0, 1)
    youth_mix = np.clip(0.55 * deprivation_rank + 0.45 * urban, 0, 1)
    totals = np.clip(np.round(rng.normal(MEAN_RESIDENTS, SD_RESIDENTS, geo.n)), 1300, 2150)
    by_age = rng.multinomial(totals.astype(np.int64), _age_profiles(youth_mix))
    z = (score - score.mean()) / score.std()
    return Population(by_age=by_age, imd_score=score, imd_decile=decile, deprivation_z=z)
