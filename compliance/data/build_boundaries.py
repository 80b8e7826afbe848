"""Regenerate the committed boundary files from the Census 1:500k cartographic boundary shapefile.

Run by hand after changing this script (needs the optional `build-data` extras: plotly-geo, pyshp):

    .venv/bin/python compliance/data/build_boundaries.py

The app never imports this: it only reads the three files written here. The output is deterministic (sorted
features, fixed rounding, gzip mtime=0), so re-running it on the same inputs leaves git with nothing to commit.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import shapefile
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

DATA_DIR = Path(__file__).resolve().parent
REPO_ROOT = DATA_DIR.parent.parent
JURISDICTIONS_CSV = DATA_DIR / "jurisdictions.csv"
BOUNDARIES_GZ = DATA_DIR / "boundaries_500k.json.gz"
SIMPLIFIED_GEOJSON = REPO_ROOT / "frontend" / "static" / "geo" / "states-simplified.geojson"

SHAPEFILE_PACKAGE = "_plotly_geo"
SHAPEFILE_STEM = "cb_2016_us_state_500k"

# 1e-5 degrees is about 1.1 m: far below the 1:500k source's own accuracy, so rounding loses nothing real.
FULL_DECIMALS = 5
# Browser map: ~110 m grid, under a pixel at the zooms where the national map is drawn from this file.
MAP_DECIMALS = 3
# Visvalingam-Whyatt tolerance (square root of the dropped triangle area, in degrees); picked for a ~320 KB file.
MAP_TOLERANCE_DEG = 0.025
MAP_SIZE_RANGE = (150_000, 400_000)

DISTRICTS = frozenset({"DC"})
TERRITORIES = frozenset({"AS", "GU", "MP", "PR", "VI"})
EXPECTED_COUNTS = {"state": 50, "district": 1, "territory": 5}


@dataclass(frozen=True)
class Jurisdiction:
    """One Census state-level record with its full-resolution geometry."""

    code: str
    name: str
    fips: str
    kind: str
    geometry: BaseGeometry


def kind_of(code: str) -> str:
    """Classify a USPS code as state, district or territory."""
    if code in DISTRICTS:
        return "district"
    if code in TERRITORIES:
        return "territory"
    return "state"


def read_shapefile() -> list[Jurisdiction]:
    """Read the Census shapefile bundled with plotly-geo, sorted by USPS code."""
    package_data = files(SHAPEFILE_PACKAGE) / "package_data"
    # Open the three parts as streams: works whether the package is a plain directory or zipped.
    with (
        (package_data / f"{SHAPEFILE_STEM}.shp").open("rb") as shp,
        (package_data / f"{SHAPEFILE_STEM}.shx").open("rb") as shx,
        (package_data / f"{SHAPEFILE_STEM}.dbf").open("rb") as dbf,
    ):
        reader = shapefile.Reader(shp=shp, shx=shx, dbf=dbf)
        jurisdictions = [
            Jurisdiction(
                code=item.record["STUSPS"],
                name=item.record["NAME"],
                fips=item.record["STATEFP"],
                kind=kind_of(item.record["STUSPS"]),
                geometry=shape(item.shape.__geo_interface__),
            )
            for item in reader.iterShapeRecords()
        ]
    return sorted(jurisdictions, key=lambda j: j.code)


def check_jurisdictions(jurisdictions: list[Jurisdiction]) -> None:
    """Fail loudly if the source no longer has exactly 50 states, DC and the 5 inhabited territories."""
    codes = [j.code for j in jurisdictions]
    if len(set(codes)) != len(codes):
        raise ValueError(f"duplicate USPS codes in {SHAPEFILE_STEM}")
    counts = {kind: sum(1 for j in jurisdictions if j.kind == kind) for kind in EXPECTED_COUNTS}
    if counts != EXPECTED_COUNTS:
        raise ValueError(f"unexpected jurisdiction counts {counts}, wanted {EXPECTED_COUNTS}")


def polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Keep only the (multi)polygon part: make_valid can add stray lines or points along repaired edges."""
    parts = [part for part in shapely.get_parts(geometry) if part.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def clean(geometry: BaseGeometry, decimals: int) -> BaseGeometry:
    """Return a valid polygonal geometry snapped to a 10**-decimals degree grid, exterior rings counter-clockwise."""
    if not geometry.is_valid:
        geometry = polygonal(shapely.make_valid(geometry))
    # set_precision snap-rounds and keeps the result valid, unlike rounding the coordinates one by one.
    geometry = shapely.set_precision(geometry, 10.0**-decimals)
    if not geometry.is_valid:
        geometry = polygonal(shapely.make_valid(geometry))
    # RFC 7946 asks for counter-clockwise exteriors. Leaflet ignores winding; d3-geo wants the reverse and would
    # need the features rewound.
    return shapely.orient_polygons(geometry, exterior_cw=False)


def check_longitudes(code: str, geometry: BaseGeometry) -> None:
    """Reject rings that wrap around the antimeridian instead of being split at it."""
    for part in shapely.get_parts(geometry):
        west, _, east, _ = part.bounds
        # The Census file splits Alaska's Aleutians at 180 degrees; a part spanning more than half the globe
        # would mean a ring was joined across it, and every planar operation on it would be wrong.
        if west < -180 or east > 180 or east - west > 180:
            raise ValueError(f"{code}: polygon part spans longitudes {west}..{east}")


def round_coordinates(coordinates: Any, decimals: int) -> Any:
    """Round nested GeoJSON coordinate arrays, so the JSON has no float noise such as 45.678000000000004."""
    if isinstance(coordinates[0], float | int):
        return [round(value, decimals) for value in coordinates]
    return [round_coordinates(item, decimals) for item in coordinates]


def feature(geometry: BaseGeometry, properties: dict[str, str], decimals: int) -> dict[str, Any]:
    """Build a GeoJSON Feature with rounded coordinates."""
    geo = mapping(geometry)
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": geo["type"], "coordinates": round_coordinates(geo["coordinates"], decimals)},
    }


def feature_collection_bytes(features: list[dict[str, Any]]) -> bytes:
    """Serialise a FeatureCollection compactly, one feature per line so diffs stay readable."""
    lines = [json.dumps(item, separators=(",", ":"), ensure_ascii=False) for item in features]
    return ('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n").encode()


def write_jurisdictions_csv(jurisdictions: list[Jurisdiction], path: Path) -> None:
    """Write code,name,fips,kind sorted by code."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", "name", "fips", "kind"])
    writer.writerows([j.code, j.name, j.fips, j.kind] for j in jurisdictions)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def full_resolution_features(jurisdictions: list[Jurisdiction]) -> list[dict[str, Any]]:
    """Valid, ~1 m-rounded polygons for server-side point lookups."""
    features = []
    for j in jurisdictions:
        geometry = clean(j.geometry, FULL_DECIMALS)
        if geometry.is_empty or not geometry.is_valid:
            raise ValueError(f"{j.code}: no valid geometry left after cleaning")
        check_longitudes(j.code, geometry)
        features.append(feature(geometry, {"code": j.code}, FULL_DECIMALS))
    return features


def write_gzip(data: bytes, path: Path) -> None:
    """Gzip deterministically: no file name and mtime 0 in the header."""
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(data)


def simplify_fallback(code: str, geometry: BaseGeometry) -> BaseGeometry:
    """Simplify one feature on its own with ever smaller tolerances until something non-empty survives."""
    tolerance = MAP_TOLERANCE_DEG
    while tolerance > 1e-6:
        tolerance /= 2
        candidate = clean(shapely.simplify(geometry, tolerance, preserve_topology=True), MAP_DECIMALS)
        if not candidate.is_empty and candidate.is_valid:
            return candidate
    raise ValueError(f"{code}: simplification leaves nothing even at tiny tolerances")


def simplified_features(jurisdictions: list[Jurisdiction]) -> list[dict[str, Any]]:
    """Simplified polygons for the browser map; shared borders stay shared, every jurisdiction stays non-empty."""
    # The shapes are rounded to the full-resolution grid first because that grid is what the server uses, and the
    # Census coverage is still edge-matched there (checked below); the coarser map grid breaks it at a tri-point.
    full = np.array([clean(j.geometry, FULL_DECIMALS) for j in jurisdictions])
    if not shapely.coverage_is_valid(full):
        raise ValueError("Census polygons no longer form a clean coverage; coverage_simplify would misbehave")
    # Coverage simplification moves each shared border once for both neighbours, so the map shows no slivers or
    # overlaps between states (simplifying each feature alone would).
    simplified = shapely.coverage_simplify(full, MAP_TOLERANCE_DEG)
    features = []
    for j, full_geometry, geometry in zip(jurisdictions, full, simplified, strict=True):
        geometry = clean(geometry, MAP_DECIMALS)
        if geometry.is_empty or not geometry.is_valid:
            geometry = simplify_fallback(j.code, full_geometry)
        features.append(feature(geometry, {"code": j.code, "name": j.name}, MAP_DECIMALS))
    return features


def main() -> None:
    """Build all three outputs and print their sizes."""
    jurisdictions = read_shapefile()
    check_jurisdictions(jurisdictions)

    write_jurisdictions_csv(jurisdictions, JURISDICTIONS_CSV)
    write_gzip(feature_collection_bytes(full_resolution_features(jurisdictions)), BOUNDARIES_GZ)

    simplified = feature_collection_bytes(simplified_features(jurisdictions))
    low, high = MAP_SIZE_RANGE
    if not low <= len(simplified) <= high:
        raise ValueError(f"simplified map is {len(simplified)} bytes, outside {MAP_SIZE_RANGE}; adjust the tolerance")
    SIMPLIFIED_GEOJSON.parent.mkdir(parents=True, exist_ok=True)
    SIMPLIFIED_GEOJSON.write_bytes(simplified)

    for path in (JURISDICTIONS_CSV, BOUNDARIES_GZ, SIMPLIFIED_GEOJSON):
        print(f"{path.relative_to(REPO_ROOT)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
