"""Deterministic file writers: same inputs, same bytes."""

import csv
import json
from pathlib import Path

from .geography import Geography

CRS_27700 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}


def write_csv(path: Path, header, rows) -> int:
    """UTF-8 CSV with '\\n' line ends; returns the number of data rows."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def write_geojson(path: Path, geo: Geography) -> int:
    """One Polygon feature per area, coordinates at 0.1 m, rings closed, one feature a line."""
    properties = [
        {"LSOA21CD": geo.lsoa_code[i], "LSOA21NM": geo.lsoa_name[i]} for i in range(geo.n)
    ]
    if geo.geometry_json is not None:  # real geography: the polygons as read
        return write_features(
            path, "lsoa_boundaries", [None] * geo.n, properties, geo.geometry_json
        )
    return write_features(path, "lsoa_boundaries", geo.polygons, properties)


def write_features(path: Path, layer: str, rings, properties, geometries=None) -> int:
    """A GeoJSON FeatureCollection in EPSG:27700: one Polygon feature a line, from its ring
    (coordinates at 0.1 m, closed here) or from its GeoJSON geometry text where given."""
    lines = [
        f'{{"type": "FeatureCollection", "name": "{layer}", '
        f'"crs": {json.dumps(CRS_27700)}, "features": ['
    ]
    for i, ring in enumerate(rings):
        geometry = geometries[i] if geometries is not None else None
        if geometry is None:
            closed = list(ring) + [ring[0]]
            coords = ", ".join(f"[{x:.1f}, {y:.1f}]" for x, y in closed)
            geometry = f'{{"type": "Polygon", "coordinates": [[{coords}]]}}'
        comma = "," if i < len(rings) - 1 else ""
        lines.append(
            f'{{"type": "Feature", "properties": {json.dumps(properties[i])}, '
            f'"geometry": {geometry}}}{comma}'
        )
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rings)


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")
