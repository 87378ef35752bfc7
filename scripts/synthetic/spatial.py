"""Locating points in areas and drawing integer points inside given areas.

Every area is the Voronoi cell of its seed, so the area holding a point is the area of its
nearest seed. Points closer than BOUNDARY_MARGIN_M to a cell boundary are refused: the
boundary is the bisector of the two nearest seeds, and a point whose two nearest seeds differ
in distance by 2*margin is at least `margin` from it. That leaves room for the 0.1 m vertex
rounding, so the pipeline's point-in-polygon test always agrees with the generator's truth.
"""

import numpy as np

from .geography import Geography

BOUNDARY_MARGIN_M = 1.5


def locate(geo: Geography, points: np.ndarray) -> np.ndarray:
    """Area index of each point, or -1 when outside the region or too near a boundary."""
    if geo.locator is not None:
        return geo.locator.locate(points)
    dist, seed = geo.seed_tree.query(points, k=2)
    area = geo.seed_to_lsoa[seed[:, 0]]
    clear = (dist[:, 1] - dist[:, 0]) > 2 * BOUNDARY_MARGIN_M
    return np.where(clear, area, -1)


def points_in_areas(rng: np.random.Generator, geo: Geography, areas: np.ndarray) -> np.ndarray:
    """One integer-metre point strictly inside each requested area (rejection sampling)."""
    out = np.zeros((len(areas), 2), dtype=np.int64)
    todo = np.arange(len(areas))
    while todo.size:
        lo, hi = geo.bbox_min[areas[todo]], geo.bbox_max[areas[todo]]
        cand = np.floor(lo + rng.random((todo.size, 2)) * (hi - lo))
        if geo.locator is not None:
            hit = geo.locator.inside(cand, areas[todo])
        else:
            hit = locate(geo, cand) == areas[todo]
        out[todo[hit]] = cand[hit].astype(np.int64)
        todo = todo[~hit]
    return out


def points_near(rng, geo: Geography, centres: np.ndarray, sigma: np.ndarray):
    """Integer points scattered around centres (Gaussian), kept inside the region.

    Returns the points and their areas; a draw landing outside is redrawn around its centre.
    """
    out = np.zeros((len(centres), 2), dtype=np.int64)
    area = np.full(len(centres), -1)
    todo = np.arange(len(centres))
    while todo.size:
        cand = np.floor(centres[todo] + rng.normal(size=(todo.size, 2)) * sigma[todo, None])
        found = locate(geo, cand)
        hit = found >= 0
        out[todo[hit]] = cand[hit].astype(np.int64)
        area[todo[hit]] = found[hit]
        todo = todo[~hit]
    return out, area
