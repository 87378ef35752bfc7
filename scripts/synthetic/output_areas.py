"""Output areas (OAs), the optional finest level (--output-areas).

ONS builds an LSOA from 4 to 6 output areas of similar population. The fictional LSOAs are
convex Voronoi cells, so each is cut into 4-6 wedges by rays from its area centroid: the
wedges nest in their LSOA exactly (as ONS OAs do), and a point's OA is known from its angle
around that centroid alone, independently of any polygon test (the truth the pipeline's
point-in-polygon location is checked against). Residents are shared among an LSOA's OAs,
age by age, in shares of similar size.
"""

from dataclasses import dataclass

import numpy as np

from .geography import Geography
from .population import Population

OAS_PER_LSOA = (4, 6)  # inclusive, as ONS's census geography
SHARE_CONCENTRATION = 8.0  # Dirichlet concentration: OAs of similar population


@dataclass
class OutputAreas:
    code: list  # OA code, in LSOA then angle order
    lsoa: np.ndarray  # parent LSOA index of each OA
    rings: list  # counter-clockwise rings, not closed
    by_age: np.ndarray  # (n_oa, 91) residents
    first: np.ndarray  # index of each LSOA's first OA
    cuts: list  # per LSOA: cut angles in radians, ascending, the first is the origin

    @property
    def n(self) -> int:
        return len(self.code)


def _ray_exit(centre, angle, ring) -> np.ndarray:
    """Where the ray from `centre` at `angle` leaves the convex polygon `ring`."""
    direction = np.array([np.cos(angle), np.sin(angle)])
    best = None
    for a, b in zip(ring, np.roll(ring, -1, axis=0)):
        edge = b - a
        det = direction[0] * -edge[1] + direction[1] * edge[0]
        if abs(det) < 1e-12:
            continue
        rhs = a - centre
        s = (rhs[0] * -edge[1] + rhs[1] * edge[0]) / det
        u = (direction[0] * rhs[1] - direction[1] * rhs[0]) / det
        if s > 0 and -1e-9 <= u <= 1 + 1e-9 and (best is None or s < best):
            best = s
    return centre + best * direction


def _wedges(ring: np.ndarray, centre: np.ndarray, cuts: np.ndarray) -> list:
    """The convex polygon cut along rays from `centre` at the ascending angles `cuts`."""
    relative = np.mod(
        np.arctan2(ring[:, 1] - centre[1], ring[:, 0] - centre[0]) - cuts[0], 2 * np.pi
    )
    ends = np.append(cuts - cuts[0], 2 * np.pi)
    exits = [_ray_exit(centre, angle, ring) for angle in cuts]
    wedges = []
    for j in range(len(cuts)):
        inside = np.flatnonzero((relative > ends[j]) & (relative < ends[j + 1]))
        inside = inside[np.argsort(relative[inside])]
        points = [centre, exits[j], *ring[inside], exits[(j + 1) % len(cuts)]]
        wedges.append(np.array(points))
    return wedges


def build_output_areas(rng: np.random.Generator, geo: Geography, pop: Population) -> OutputAreas:
    if geo.geometry_json is not None:
        raise ValueError("output areas are made for the fictional geography only")
    codes, parents, rings, by_age, first, all_cuts = [], [], [], [], [], []
    for i in range(geo.n):
        k = int(rng.integers(OAS_PER_LSOA[0], OAS_PER_LSOA[1] + 1))
        origin = rng.uniform(0, 2 * np.pi)
        gaps = rng.dirichlet(np.full(k, SHARE_CONCENTRATION)) * 2 * np.pi
        cuts = origin + np.concatenate([[0.0], np.cumsum(gaps)[:-1]])
        ring = np.asarray(geo.polygons[i], dtype=float)
        first.append(len(codes))
        all_cuts.append(cuts)
        for wedge in _wedges(ring, geo.centroid[i], cuts):
            codes.append(f"E009{len(codes) + 1:05d}")
            parents.append(i)
            rings.append(wedge)
        shares = rng.dirichlet(np.full(k, SHARE_CONCENTRATION))
        by_age.append(rng.multinomial(pop.by_age[i], shares).T)
    return OutputAreas(
        code=codes,
        lsoa=np.array(parents),
        rings=rings,
        by_age=np.concatenate(by_age),
        first=np.array(first),
        cuts=all_cuts,
    )


def locate(oas: OutputAreas, geo: Geography, xy: np.ndarray, lsoa: np.ndarray) -> np.ndarray:
    """The OA of each point from its angle around its LSOA's centroid; -1 where lsoa is -1."""
    out = np.full(len(lsoa), -1)
    for row in np.flatnonzero(lsoa >= 0):
        i = lsoa[row]
        cuts = oas.cuts[i]
        centre = geo.centroid[i]
        angle = np.arctan2(xy[row, 1] - centre[1], xy[row, 0] - centre[0])
        relative = np.mod(angle - cuts[0], 2 * np.pi)
        wedge = int(np.searchsorted(cuts - cuts[0], relative, side="right")) - 1
        out[row] = oas.first[i] + wedge
    return out


def population_rows(oas: OutputAreas) -> list:
    return [
        [oas.code[o], str(age), str(oas.by_age[o, age])]
        for o in range(oas.n)
        for age in range(oas.by_age.shape[1])
    ]
