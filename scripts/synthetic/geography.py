"""Synthetic LSOA geography for a fictional force "shaped like the West Midlands".

Areas are Voronoi cells of seed points whose density follows population. The region itself is
the union of the cells whose seed lies inside a smooth blob, so its boundary is made of Voronoi
edges: no clipping is needed, and neighbouring cells share identical (rounded) vertices, which
makes the areas tile the region exactly. A point belongs to the cell of its nearest seed, which
gives a fast, exact point-in-area test (see `spatial.py`).
"""

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import Voronoi, cKDTree

TARGET_AREAS = 1712
LSOAS_PER_MSOA = 4.9
LSOAS_PER_WARD = 10.7

# The blob: a wobbly superellipse inside easting 385000-425000, northing 270000-300000.
CENTRE = np.array([404800.0, 285000.0])
SEMI_AXES = np.array([18500.0, 13700.0])
SUPERELLIPSE_POWER = 2.5
BOUNDARY_WOBBLE = ((2, 0.030, 0.7), (3, 0.025, 2.1), (5, 0.020, 4.0))  # harmonic, amplitude, phase
# Interior seeds also keep inside this box, so that the cells stay within easting
# 385000-425000 and northing 270000-300000.
SEED_BOX_MIN = np.array([386600.0, 271600.0])
SEED_BOX_MAX = np.array([423400.0, 298400.0])
# Exterior seeds fill this frame so that every cell inside the blob is bounded.
FRAME_MIN = np.array([372000.0, 258000.0])
FRAME_MAX = np.array([438000.0, 312000.0])

# Relative population density: background plus urban cores (easting, northing, weight, sigma m).
BACKGROUND_DENSITY = 0.16
EXTERIOR_DENSITY = 0.07
DENSITY_BUMPS = (
    (407500, 286000, 1.00, 4500),
    (407800, 286300, 0.90, 1500),
    (392500, 295000, 0.80, 2600),
    (394000, 289000, 0.55, 2200),
    (401000, 297000, 0.60, 2300),
    (399500, 290500, 0.60, 2200),
    (415500, 278500, 0.45, 3200),
    (412000, 296000, 0.40, 2800),
)
LLOYD_ITERATIONS = 4
LLOYD_SAMPLES = 300_000

VERTEX_DECIMALS = 1  # 0.1 m, the precision written to the GeoJSON
VERTEX_MERGE_M = 0.5  # vertices closer than this become one, so no edge is degenerate
MIN_SHARED_EDGE_M = 1.0  # areas meeting only at a point are not neighbours


@dataclass(frozen=True)
class Town:
    """A local authority: its fictional name, its centre and its share of the areas."""

    name: str
    x: float
    y: float
    share: float


TOWNS = (
    Town("Brindlebury", 407500, 286000, 0.40),
    Town("Wolverleigh", 392500, 295000, 0.12),
    Town("Dudmere", 394000, 289000, 0.10),
    Town("Walsby", 401000, 297000, 0.10),
    Town("Smethbridge", 399500, 290500, 0.10),
    Town("Solihurst", 415500, 278500, 0.10),
    Town("Sutton Ferrers", 412000, 296000, 0.08),
)

NAME_PREFIXES = (
    "Ash",
    "Bar",
    "Beech",
    "Bourn",
    "Brad",
    "Bram",
    "Brook",
    "Cal",
    "Castle",
    "Church",
    "Cole",
    "Cot",
    "Elm",
    "Fair",
    "Fern",
    "Frank",
    "Gorn",
    "Green",
    "Hall",
    "Hart",
    "Hay",
    "Heath",
    "High",
    "Hol",
    "King",
    "Lang",
    "Lea",
    "Lyn",
    "Marl",
    "Mill",
    "Moor",
    "Nether",
    "New",
    "Oak",
    "Old",
    "Pel",
    "Quin",
    "Red",
    "Rowan",
    "Sel",
    "Shir",
    "Stan",
    "Stock",
    "Ston",
    "Sut",
    "Tam",
    "Thorn",
    "Wal",
    "Wed",
    "West",
    "Whit",
    "Wil",
    "Wood",
    "Yard",
)
NAME_SUFFIXES = (
    "bury",
    "cote",
    "croft",
    "dale",
    "don",
    "field",
    "ford",
    "gate",
    "green",
    "hall",
    "ham",
    "heath",
    "hill",
    "hurst",
    "ley",
    "lands",
    "mere",
    "moor",
    "stone",
    "ton",
    "vale",
    "well",
    "wick",
    "wood",
    "worth",
)


@dataclass
class Geography:
    """Areas in code order, with their hierarchy and the nearest-seed locator."""

    seeds: np.ndarray  # (n, 2) generating point of each area
    polygons: list  # (m, 2) counter-clockwise rings, not closed
    centroid: np.ndarray  # (n, 2)
    area_km2: np.ndarray
    bbox_min: np.ndarray
    bbox_max: np.ndarray
    density: np.ndarray  # relative population density at the seed (urbanness)
    la: np.ndarray
    msoa: np.ndarray
    ward: np.ndarray
    lsoa_code: list
    lsoa_name: list
    msoa_code: list
    msoa_name: list
    ward_code: list
    ward_name: list
    la_code: list
    la_name: list
    seed_tree: cKDTree  # over every seed, interior and exterior
    seed_to_lsoa: np.ndarray  # area index of each seed, -1 outside the region
    # Real geography (real_geography.py): each area's GeoJSON geometry as written, and the
    # point-in-area tests on it; None on the fictional geography, whose cells are Voronoi.
    geometry_json: list | None = None
    locator: object | None = None

    @property
    def n(self) -> int:
        return len(self.lsoa_code)


def superellipse_norm(xy: np.ndarray) -> np.ndarray:
    """< 1 inside the blob, 1 on its wobbly boundary (infinite outside the seed box)."""
    d = (xy - CENTRE) / SEMI_AXES
    theta = np.arctan2(d[:, 1], d[:, 0])
    wobble = 1.0 + sum(a * np.cos(k * theta + p) for k, a, p in BOUNDARY_WOBBLE)
    norm = np.abs(d[:, 0]) ** SUPERELLIPSE_POWER + np.abs(d[:, 1]) ** SUPERELLIPSE_POWER
    in_box = ((xy >= SEED_BOX_MIN) & (xy <= SEED_BOX_MAX)).all(axis=1)
    return np.where(in_box, norm ** (1.0 / SUPERELLIPSE_POWER) / wobble, np.inf)


def population_density(xy: np.ndarray) -> np.ndarray:
    """Relative residential density; sparser towards the edge, constant outside the region."""
    density = np.full(len(xy), BACKGROUND_DENSITY)
    for x, y, weight, sigma in DENSITY_BUMPS:
        r2 = (xy[:, 0] - x) ** 2 + (xy[:, 1] - y) ** 2
        density += weight * np.exp(-r2 / (2.0 * sigma**2))
    norm = superellipse_norm(xy)
    taper = 0.55 + 0.45 * np.clip((1.0 - norm) / 0.25, 0.0, 1.0)
    return np.where(norm < 1.0, density * taper, EXTERIOR_DENSITY)


def _sample_by_density(rng, n, inside: bool) -> np.ndarray:
    """n points in the frame, inside (or outside) the blob, with density `population_density`."""
    peak = BACKGROUND_DENSITY + sum(weight for _, _, weight, _ in DENSITY_BUMPS)  # upper bound
    points = []
    while sum(len(p) for p in points) < n:
        cand = FRAME_MIN + rng.random((4 * n, 2)) * (FRAME_MAX - FRAME_MIN)
        keep = (superellipse_norm(cand) < 1.0) == inside
        keep &= rng.random(len(cand)) * peak < population_density(cand)
        points.append(cand[keep])
    return np.concatenate(points)[:n]


def _initial_seeds(rng) -> np.ndarray:
    """Interior seeds first, then enough exterior seeds for the same density outside."""
    step = 250.0
    gx, gy = np.meshgrid(
        np.arange(FRAME_MIN[0], FRAME_MAX[0], step), np.arange(FRAME_MIN[1], FRAME_MAX[1], step)
    )
    grid = np.column_stack([gx.ravel(), gy.ravel()]) + step / 2
    density = population_density(grid)
    inside = superellipse_norm(grid) < 1.0
    n_out = int(round(TARGET_AREAS * density[~inside].sum() / density[inside].sum()))
    interior = _sample_by_density(rng, TARGET_AREAS, inside=True)
    exterior = _sample_by_density(rng, n_out, inside=False)
    return np.concatenate([interior, exterior])


def _lloyd_relax(rng, seeds: np.ndarray) -> np.ndarray:
    """A few density-weighted Lloyd steps make cells compact without changing their density.

    Centroidal Voronoi generators have density ~ rho^(1/2) in 2D, hence the rho^2 weights.
    """
    samples = FRAME_MIN + rng.random((LLOYD_SAMPLES, 2)) * (FRAME_MAX - FRAME_MIN)
    weights = population_density(samples) ** 2
    for _ in range(LLOYD_ITERATIONS):
        _, owner = cKDTree(seeds).query(samples)
        mass = np.bincount(owner, weights, minlength=len(seeds))
        moved = seeds.copy()
        has_mass = mass > 0
        for axis in range(2):
            total = np.bincount(owner, weights * samples[:, axis], minlength=len(seeds))
            moved[has_mass, axis] = total[has_mass] / mass[has_mass]
        seeds = moved
    return seeds


def _seed_adjacency(vor: Voronoi, n: int) -> csr_matrix:
    pairs = vor.ridge_points
    data = np.ones(2 * len(pairs))
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    return coo_matrix((data, (rows, cols)), shape=(n, n)).tocsr()


def _solid_region(vor: Voronoi, seeds: np.ndarray) -> np.ndarray:
    """Interior mask: seeds in the blob, without islands, and with enclaves filled in."""
    interior = superellipse_norm(seeds) < 1.0
    adjacency = _seed_adjacency(vor, len(seeds))
    for flip_to, members in ((False, interior), (True, ~interior)):
        idx = np.flatnonzero(members)
        _, comp = connected_components(adjacency[idx][:, idx], directed=False)
        if flip_to:  # exterior pieces not connected to the frame's far corner are enclaves
            main = comp[np.argmax(np.hypot(*(seeds[idx] - CENTRE).T))]
        else:  # interior pieces apart from the largest are islands
            main = np.argmax(np.bincount(comp))
        interior[idx[comp != main]] = flip_to
    return interior


def _canonical_vertices(vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Round once, then merge vertices closer than VERTEX_MERGE_M (shared by all their cells)."""
    rounded = np.round(vertices, VERTEX_DECIMALS)
    parent = np.arange(len(rounded))
    for i, j in sorted(cKDTree(rounded).query_pairs(VERTEX_MERGE_M)):
        ri, rj = parent[i], parent[j]
        while parent[ri] != ri:
            ri = parent[ri]
        while parent[rj] != rj:
            rj = parent[rj]
        parent[max(ri, rj)] = min(ri, rj)
    for i in range(len(parent)):
        root = i
        while parent[root] != root:
            root = parent[root]
        parent[i] = root
    return rounded, parent


def _cell_ring(vor: Voronoi, seed: int, rounded: np.ndarray, canon: np.ndarray) -> np.ndarray:
    """The cell's canonical vertices in counter-clockwise order, without repeats."""
    region = np.array(vor.regions[vor.point_region[seed]])
    if len(region) == 0 or (region < 0).any():
        raise RuntimeError("an interior Voronoi cell is unbounded; enlarge the frame")
    original = vor.vertices[region]
    centre = original.mean(axis=0)
    order = np.argsort(np.arctan2(original[:, 1] - centre[1], original[:, 0] - centre[0]))
    ids = canon[region[order]]
    ids = ids[ids != np.roll(ids, 1)]
    return rounded[ids]


def _ring_area_centroid(ring: np.ndarray) -> tuple[float, np.ndarray]:
    x, y = ring[:, 0], ring[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    area = cross.sum() / 2.0
    cx = ((x + xn) * cross).sum() / (6.0 * area)
    cy = ((y + yn) * cross).sum() / (6.0 * area)
    return area, np.array([cx, cy])


def _area_adjacency(vor, interior_index, rounded, canon, n) -> csr_matrix:
    """Areas sharing an edge of at least MIN_SHARED_EDGE_M (rook contiguity)."""
    rows, cols = [], []
    for (p, q), ridge in zip(vor.ridge_points, vor.ridge_vertices):
        a, b = interior_index[p], interior_index[q]
        if a < 0 or b < 0 or min(ridge) < 0:
            continue
        v0, v1 = rounded[canon[ridge[0]]], rounded[canon[ridge[1]]]
        if np.hypot(*(v1 - v0)) >= MIN_SHARED_EDGE_M:
            rows += [a, b]
            cols += [b, a]
    return coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()


def _kmeans_pp(rng, points: np.ndarray, k: int) -> np.ndarray:
    centres = [points[rng.integers(len(points))]]
    for _ in range(k - 1):
        d2 = ((points[:, None, :] - np.array(centres)[None]) ** 2).sum(-1).min(1)
        centres.append(points[rng.choice(len(points), p=d2 / d2.sum())])
    return np.array(centres)


def balanced_partition(points, centres, targets, move_centres, iterations=80) -> np.ndarray:
    """Power-diagram assignment whose weights are nudged until group sizes approach targets."""
    centres = centres.astype(float).copy()
    targets = np.asarray(targets, dtype=float)
    weights = np.zeros(len(centres))
    d2 = ((points[:, None, :] - centres[None]) ** 2).sum(-1)
    scale = d2.min(1).mean()
    for _ in range(iterations):
        d2 = ((points[:, None, :] - centres[None]) ** 2).sum(-1)
        labels = np.argmin(d2 - weights, axis=1)
        sizes = np.bincount(labels, minlength=len(centres))
        weights += 0.3 * scale * (targets - sizes) / targets
        if move_centres:
            for j in np.flatnonzero(sizes):
                centres[j] = points[labels == j].mean(axis=0)
    return labels


def make_contiguous(labels: np.ndarray, adjacency: csr_matrix) -> np.ndarray:
    """Give every detached piece of a group to the neighbouring group it touches most."""
    labels = labels.copy()
    changed = True
    while changed:
        changed = False
        for label in np.unique(labels):
            members = np.flatnonzero(labels == label)
            n_comp, comp = connected_components(adjacency[members][:, members], directed=False)
            if n_comp == 1:
                continue
            keep = np.argmax(np.bincount(comp))
            for c in range(n_comp):
                if c == keep:
                    continue
                piece = members[comp == c]
                neighbours = labels[adjacency[piece].indices]
                neighbours = neighbours[neighbours != label]
                if neighbours.size:
                    labels[piece] = np.bincount(neighbours).argmax()
                    changed = True
    return np.unique(labels, return_inverse=True)[1]


def _split_within(rng, points, la, adjacency, per_group) -> np.ndarray:
    """Contiguous groups of about `per_group` areas inside each local authority."""
    groups = np.empty(len(points), dtype=int)
    offset = 0
    for a in range(la.max() + 1):
        members = np.flatnonzero(la == a)
        k = max(1, int(round(len(members) / per_group)))
        centres = _kmeans_pp(rng, points[members], k)
        labels = balanced_partition(
            points[members], centres, np.full(k, len(members) / k), move_centres=True
        )
        labels = make_contiguous(labels, adjacency[members][:, members])
        groups[members] = labels + offset
        offset += labels.max() + 1
    return groups


def _north_to_south(keys: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Rank groups inside each key from north to south (how ONS numbers MSOAs)."""
    return np.lexsort((points[:, 0], -points[:, 1], keys))


def _group_centres(groups: np.ndarray, points: np.ndarray) -> np.ndarray:
    counts = np.bincount(groups)
    return np.column_stack([np.bincount(groups, points[:, i]) / counts for i in range(2)])


def _renumber(groups, la, points):
    """Renumber groups by LA then north to south; return new ids and each group's LA."""
    centres = _group_centres(groups, points)
    group_la = np.zeros(groups.max() + 1, dtype=int)
    group_la[groups] = la
    order = _north_to_south(group_la, centres)
    new_id = np.empty_like(order)
    new_id[order] = np.arange(len(order))
    return new_id[groups], group_la[order]


def _place_names(rng, n: int) -> list:
    combos = [
        p + s
        for p in NAME_PREFIXES
        for s in NAME_SUFFIXES
        if not p.lower().endswith(s[:2]) and p.lower() != s
    ]
    return [combos[i] for i in rng.choice(len(combos), size=n, replace=False)]


def build_geography(rng: np.random.Generator) -> Geography:
    seeds = _lloyd_relax(rng, _initial_seeds(rng))
    vor = Voronoi(seeds)
    interior = _solid_region(vor, seeds)
    rounded, canon = _canonical_vertices(vor.vertices)

    cells = np.flatnonzero(interior)
    rings = [_cell_ring(vor, s, rounded, canon) for s in cells]
    n = len(cells)
    interior_index = np.full(len(seeds), -1)
    interior_index[cells] = np.arange(n)
    adjacency = _area_adjacency(vor, interior_index, rounded, canon, n)
    points = seeds[cells]

    town_xy = np.array([[t.x, t.y] for t in TOWNS])
    la = balanced_partition(points, town_xy, [t.share * n for t in TOWNS], move_centres=False)
    la = make_contiguous(la, adjacency)
    msoa, msoa_la = _renumber(_split_within(rng, points, la, adjacency, LSOAS_PER_MSOA), la, points)
    ward, ward_la = _renumber(_split_within(rng, points, la, adjacency, LSOAS_PER_WARD), la, points)

    order = np.lexsort((points[:, 0], -points[:, 1], msoa))  # code order: LA, MSOA, north first
    interior_index[cells[order]] = np.arange(n)
    rings = [rings[i] for i in order]
    points, la, msoa, ward = points[order], la[order], msoa[order], ward[order]

    area_centroid = [_ring_area_centroid(r) for r in rings]
    la_name = [t.name for t in TOWNS]
    msoa_number = np.zeros(msoa.max() + 1, dtype=int)
    for m in range(len(msoa_number)):
        msoa_number[m] = 1 + np.sum(msoa_la[:m] == msoa_la[m])
    msoa_name = [f"{la_name[msoa_la[m]]} {msoa_number[m]:03d}" for m in range(len(msoa_number))]
    letter = np.zeros(n, dtype=int)
    for i in range(1, n):
        letter[i] = letter[i - 1] + 1 if msoa[i] == msoa[i - 1] else 0
    return Geography(
        seeds=points,
        polygons=rings,
        centroid=np.array([c for _, c in area_centroid]),
        area_km2=np.array([a for a, _ in area_centroid]) / 1e6,
        bbox_min=np.array([r.min(axis=0) for r in rings]),
        bbox_max=np.array([r.max(axis=0) for r in rings]),
        density=population_density(points),
        la=la,
        msoa=msoa,
        ward=ward,
        lsoa_code=[f"E019{i + 1:05d}" for i in range(n)],
        lsoa_name=[f"{msoa_name[msoa[i]]}{chr(ord('A') + letter[i])}" for i in range(n)],
        msoa_code=[f"E029{m + 1:05d}" for m in range(len(msoa_name))],
        msoa_name=msoa_name,
        ward_code=[f"E059{w + 1:05d}" for w in range(len(ward_la))],
        ward_name=_place_names(rng, len(ward_la)),
        la_code=[f"E0890000{a + 1}" for a in range(len(TOWNS))],
        la_name=la_name,
        seed_tree=cKDTree(seeds),
        seed_to_lsoa=interior_index,
    )
