"""Point to jurisdiction lookup over the Census 1:500k boundaries, plus small geodesy and map-tile helpers.

Pure module: no Django, no database. The boundary file (built by compliance/data/build_boundaries.py) is read once
per process, on first use.
"""

from __future__ import annotations

import gzip
import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

BOUNDARIES_PATH = Path(__file__).resolve().parent / "data" / "boundaries_500k.json.gz"

# The cartographic boundary file is clipped to the shoreline, so piers, beaches and harbour moorings fall just
# outside every polygon; within this distance they belong to the nearest jurisdiction.
SNAP_DISTANCE_M = 2_000
EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
# Zoom 16 tiles are ~600 m wide at the equator, and keys fit in 32 bits (use a 64-bit column to store them).
TILE_ZOOM = 16
MAX_MERCATOR_LAT = 85.0511287798066  # Web Mercator's square-world cut-off
MAX_RANGE_TILES = 4_096  # a viewport needing more tiles than this should use a coarser zoom
# A venue point that comes from a volunteer's phone or photo is published rounded to this many decimals: a grid of
# 0.0001 degree, 11.1 m north-south and less east-west (9.6 m at 30 degrees N), so the published point is within
# 8 m of where the volunteer stood and carries none of the digits that would place them more exactly.
PUBLIC_POINT_DECIMALS = 4

# Cell size of the lookup cache. At 0.1 degree (~11 km) about 9% of the cells near US land have a border or coast
# within snapping distance and need geometry; the rest answer from a dict. Classifying the cells takes ~0.4 s of
# the ~0.7 s one-off index build; finer cells would cost load time and memory for little more speed.
CELL_DEG = 0.1
_CELLS_PER_TURN = round(360.0 / CELL_DEG)
_CELL_COLUMNS = 10_000  # more than _CELLS_PER_TURN, so row * _CELL_COLUMNS + column is unique
_CELL_PAD_DEG = 1e-9  # cells are classified slightly enlarged, so float rounding in _cell_key cannot matter
_WINDOW_MARGIN = 1.25  # search a little beyond the snap distance, then filter on the real distance


@dataclass(frozen=True)
class Placement:
    """The jurisdiction a point belongs to, and how far it was snapped to reach it (0.0 when inside)."""

    code: str
    distance_m: float


class OutsideSupportedArea(ValueError):
    """The point is unusable or not within SNAP_DISTANCE_M of any supported jurisdiction; args[0] says why."""

    # No __init__ override: plain exception construction is three times cheaper, and points far out at sea are
    # common enough in bulk imports for that to matter.
    @property
    def reason(self) -> str:
        """Human-readable explanation, suitable for showing to the person who submitted the point."""
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class _Candidates:
    """Prepared polygon parts that may contain, or be near, the points being looked up, with their codes."""

    parts: npt.NDArray[np.object_]
    codes: npt.NDArray[np.str_]


@dataclass(frozen=True)
class _Index:
    """All prepared polygon parts, a spatial index over them, and the per-cell lookup cache."""

    everything: _Candidates
    tree: STRtree
    inside: dict[str, Placement]  # one shared, immutable "inside, not snapped" answer per code
    # Grid cells lying inside one polygon map to its Placement; cells near a border or coast map to the few parts
    # that matter there (or to _UNCACHED by the antimeridian). Every other cell is farther than SNAP_DISTANCE_M
    # from all polygons, and is simply absent.
    cells: dict[int, Placement | _Candidates]


# Marks cells whose search window crosses the antimeridian: they take the uncached path, which wraps around.
_UNCACHED = _Candidates(parts=np.empty(0, dtype=object), codes=np.empty(0, dtype=np.str_))
_TOO_FAR = f"the point is more than {SNAP_DISTANCE_M} m from every supported jurisdiction"
_ORIGIN = shapely.Point(0.0, 0.0)

_index: _Index | None = None
_index_lock = threading.Lock()
# GEOS prepared geometries build indexes lazily and keep scratch state while testing (libgeos/geos#825), and shapely
# releases the GIL inside GEOS calls: threads take turns on them. The cached answers need no geometry, no lock.
_prepared_lock = threading.Lock()


def load_boundaries(path: Path = BOUNDARIES_PATH) -> dict[str, BaseGeometry]:
    """Read the boundary file into fresh, unprepared geometries keyed by USPS code."""
    raw = gzip.decompress(path.read_bytes())
    codes = [item["properties"]["code"] for item in json.loads(raw)["features"]]
    # GEOS's own GeoJSON reader is several times faster than shapely.geometry.shape, and keeps the features' order.
    geometries = shapely.get_parts(shapely.from_geojson(raw))
    if len(geometries) != len(codes):
        raise ValueError(f"{path}: {len(codes)} features but {len(geometries)} geometries")
    return dict(zip(codes, geometries, strict=True))


def _build_index(boundaries: dict[str, BaseGeometry]) -> _Index:
    """Split multipolygons into parts, prepare and index them, and precompute the cell cache."""
    parts: list[BaseGeometry] = []
    codes: list[str] = []
    for code, geometry in sorted(boundaries.items()):
        # One tree entry per island: Alaska as a whole has a bounding box spanning the globe, so it would be a
        # candidate for every northern point and cost a full point-in-polygon test each time.
        for part in shapely.get_parts(geometry):
            parts.append(part)
            codes.append(code)
    everything = _Candidates(parts=np.array(parts, dtype=object), codes=np.array(codes, dtype=np.str_))
    shapely.prepare(everything.parts)
    # GEOS builds each prepared polygon's point locator on first use: do it now (2 ms) so early lookups don't pay.
    probes = shapely.point_on_surface(everything.parts)
    shapely.intersects_xy(everything.parts, shapely.get_x(probes), shapely.get_y(probes))
    tree = STRtree(everything.parts)
    inside = {code: Placement(code, 0.0) for code in sorted(boundaries)}
    return _Index(everything=everything, tree=tree, inside=inside, cells=_classify_cells(everything, tree, inside))


def _cell_key(lat: float, lon: float) -> int:
    """Key of the CELL_DEG grid cell containing the point."""
    # Longitude 180 is -180: wrap it into the first column rather than a column of its own.
    column = math.floor((lon + 180.0) / CELL_DEG) % _CELLS_PER_TURN
    return math.floor((lat + 90.0) / CELL_DEG) * _CELL_COLUMNS + column


def _window_deg(lat: float, max_m: float) -> tuple[float, float]:
    """Half height and half width, in degrees, of a box reaching at least max_m from any point at this latitude."""
    dlat = math.degrees(_WINDOW_MARGIN * max_m / EARTH_RADIUS_M)
    # Use the box's poleward edge, where a degree of longitude is shortest, so the box is never too narrow.
    cos_edge = math.cos(math.radians(min(abs(lat) + dlat, 90.0)))
    dlon = 360.0 if cos_edge < 1e-6 else min(360.0, dlat / cos_edge)
    return dlat, dlon


def _candidate_cells(parts: npt.NDArray[np.object_]) -> npt.NDArray[np.int64]:
    """Keys of every cell holding a point whose snap search window could reach some part's bounding box."""
    rows, columns = round(180.0 / CELL_DEG), _CELLS_PER_TURN
    wanted = np.zeros((rows, columns), dtype=bool)  # 6.5 MB for a moment, far cheaper than sets of keys
    dlat, _ = _window_deg(0.0, SNAP_DISTANCE_M)  # the same at every latitude
    for west, south, east, north in shapely.bounds(parts):
        # Such points lie up to dlat further poleward than the part, where their windows are widest.
        _, dlon = _window_deg(max(abs(south), abs(north)) + dlat, SNAP_DISTANCE_M)
        row_slice = slice(
            max(0, math.floor((south - dlat + 90.0) / CELL_DEG)), math.floor((north + dlat + 90.0) / CELL_DEG) + 1
        )
        first = math.floor((west - dlon + 180.0) / CELL_DEG)
        last = math.floor((east + dlon + 180.0) / CELL_DEG)
        if last - first + 1 >= columns:
            wanted[row_slice, :] = True
            continue
        # Wrap columns around the antimeridian: a window there reaches parts on the far side.
        first, last = first % columns, last % columns
        if first <= last:
            wanted[row_slice, first : last + 1] = True
        else:
            wanted[row_slice, first:] = True
            wanted[row_slice, : last + 1] = True
    row_index, column_index = np.nonzero(wanted)
    return row_index.astype(np.int64) * _CELL_COLUMNS + column_index


def _cell_bounds(keys: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.floating[Any]], ...]:
    """West, south, east and north edges of the cells, each padded outwards by _CELL_PAD_DEG."""
    south = (keys // _CELL_COLUMNS) * CELL_DEG - 90.0 - _CELL_PAD_DEG
    west = (keys % _CELL_COLUMNS) * CELL_DEG - 180.0 - _CELL_PAD_DEG
    return west, south, west + CELL_DEG + 2 * _CELL_PAD_DEG, south + CELL_DEG + 2 * _CELL_PAD_DEG


def _cells_inside(
    keys: npt.NDArray[np.int64], everything: _Candidates, tree: STRtree, inside: dict[str, Placement]
) -> dict[int, Placement]:
    """Cells that one (prepared) part contains away from its boundary: no border runs through them."""
    boxes = shapely.box(*_cell_bounds(keys))
    cell_index, part_index = tree.query(boxes)
    contained = shapely.contains_properly(everything.parts[part_index], boxes[cell_index])
    return {
        int(keys[i]): inside[str(everything.codes[j])]
        for i, j in zip(cell_index[contained], part_index[contained], strict=True)
    }


def _cells_near(keys: npt.NDArray[np.int64], everything: _Candidates, tree: STRtree) -> dict[int, _Candidates]:
    """For each cell, the parts that can contain or be within snapping distance of a point in it (if any)."""
    west, south, east, north = _cell_bounds(keys)
    # The search window only depends on the latitude of the cell's poleward edge: work it out once per grid row.
    row_windows = np.array(
        [
            _window_deg(max(abs(row * CELL_DEG - 90.0), abs((row + 1) * CELL_DEG - 90.0)), SNAP_DISTANCE_M)
            for row in range(round(180.0 / CELL_DEG))
        ]
    )
    dlat, dlon = row_windows[keys // _CELL_COLUMNS].T
    grown = shapely.box(west - dlon, south - dlat, east + dlon, north + dlat)
    cell_index, part_index = tree.query(grown)
    touching = shapely.intersects(everything.parts[part_index], grown[cell_index])
    nearby_parts: dict[int, list[int]] = {}
    for i, j in zip(cell_index[touching].tolist(), part_index[touching].tolist(), strict=True):
        nearby_parts.setdefault(i, []).append(j)
    cells: dict[int, _Candidates] = {}
    shared: dict[tuple[int, ...], _Candidates] = {}  # neighbouring cells often need the very same parts
    for i, members in nearby_parts.items():
        nearby = tuple(members)
        if nearby not in shared:
            shared[nearby] = _Candidates(parts=everything.parts[list(nearby)], codes=everything.codes[list(nearby)])
        cells[int(keys[i])] = shared[nearby]
    # The planar boxes cannot see across the antimeridian; the uncached path wraps around it.
    for i in np.flatnonzero((west - dlon < -180.0) | (east + dlon > 180.0)):
        cells[int(keys[i])] = _UNCACHED
    return cells


def _classify_cells(
    everything: _Candidates, tree: STRtree, inside: dict[str, Placement]
) -> dict[int, Placement | _Candidates]:
    """Cache answers for cells inside one part, and the nearby parts for cells a boundary passes close to."""
    keys = _candidate_cells(everything.parts)
    cells: dict[int, Placement | _Candidates] = dict(_cells_inside(keys, everything, tree, inside))
    # Cells near nothing are left out of the cache: absent means "too far".
    remaining = keys[~np.isin(keys, np.fromiter(cells, dtype=np.int64, count=len(cells)))]
    cells.update(_cells_near(remaining, everything, tree))
    return cells


def _get_index() -> _Index:
    """Return the process-wide index, building it once even if several threads ask at the same time."""
    global _index  # a lazily built, process-wide, read-only cache
    if _index is None:
        with _index_lock:
            if _index is None:
                _index = _build_index(load_boundaries())
    return _index


def jurisdiction_codes() -> list[str]:
    """USPS codes present in the boundary file, sorted."""
    return list(_get_index().inside)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres; within 0.5% of the WGS84 ellipsoidal distance."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bbox_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a box holding every point within radius_m; west > east when it wraps 180°."""
    dlat, dlon = _window_deg(lat, radius_m)
    if dlon >= 180.0:
        return max(-90.0, lat - dlat), -180.0, min(90.0, lat + dlat), 180.0
    west = (lon - dlon + 540.0) % 360.0 - 180.0
    east = (lon + dlon + 540.0) % 360.0 - 180.0
    return max(-90.0, lat - dlat), west, min(90.0, lat + dlat), east


def public_point(lat: float, lon: float) -> tuple[float, float]:
    """A volunteer's point as a venue may publish it: snapped to the PUBLIC_POINT_DECIMALS grid (about 10 m)."""
    return round(lat, PUBLIC_POINT_DECIMALS) + 0.0, round(lon, PUBLIC_POINT_DECIMALS) + 0.0  # + 0.0: no "-0.0"


def _check_coordinates(lat: float, lon: float) -> None:
    """Raise OutsideSupportedArea for coordinates that cannot be a real fix."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise OutsideSupportedArea(f"coordinates are not finite numbers: ({lat}, {lon})")
    if not -90.0 <= lat <= 90.0:
        raise OutsideSupportedArea(f"latitude {lat} is outside [-90, 90]")
    if not -180.0 <= lon <= 180.0:
        raise OutsideSupportedArea(f"longitude {lon} is outside [-180, 180]")
    if lat == 0.0 and lon == 0.0:
        raise OutsideSupportedArea("(0, 0) is the placeholder broken GPS fixes report, not a real location")


def _inside_code(candidates: _Candidates, lat: float, lon: float) -> str | None:
    """Code of a candidate part containing the point (its boundary included), or None."""
    with _prepared_lock:
        hits = candidates.codes[shapely.intersects_xy(candidates.parts, lon, lat)]
    # A point exactly on a state line touches both; pick deterministically.
    return min(hits.tolist()) if hits.size else None


def _nearest(candidates: _Candidates, lat: float, lon: float, max_m: float) -> Placement | None:
    """Nearest candidate jurisdiction no farther than max_m metres, or None."""
    dlat, dlon = _window_deg(lat, max_m)
    window = (lon - dlon, lat - dlat, lon + dlon, lat + dlat)
    # The prepared intersects test is cheap and rules out most parts before the costlier clipping.
    with _prepared_lock:
        keep = shapely.intersects(candidates.parts, shapely.box(*window))
    if not keep.any():
        return None
    nearby = shapely.clip_by_rect(candidates.parts[keep], *window)
    # Degrees of longitude shrink with cos(latitude): stretch to a local equirectangular plane so the planar
    # nearest point is the one that is really nearest on the ground, then measure it with haversine.
    cos_lat = max(math.cos(math.radians(lat)), 1e-9)
    local = shapely.transform(nearby, lambda xy: (xy - (lon, lat)) * (cos_lat, 1.0))
    ends = shapely.get_coordinates(shapely.shortest_line(local, _ORIGIN))[0::2]  # each line starts on the part
    best: Placement | None = None
    for (x, y), code in zip(ends.tolist(), candidates.codes[keep].tolist(), strict=True):
        meters = distance_m(lat, lon, lat + y, lon + x / cos_lat)
        if meters <= max_m and (best is None or (meters, code) < (best.distance_m, best.code)):
            best = Placement(code, meters)
    return best


def _longitude_copies(lon: float, dlon: float) -> list[float]:
    """The point's longitude, plus its copy on the far side of the antimeridian when the search window crosses it."""
    copies = [lon]
    if lon - dlon < -180.0:
        copies.append(lon + 360.0)
    if lon + dlon > 180.0:
        copies.append(lon - 360.0)
    return copies


def _subset(index: _Index, indices: npt.NDArray[np.intp]) -> _Candidates:
    """The parts at these positions of the spatial index."""
    return _Candidates(parts=index.everything.parts[indices], codes=index.everything.codes[indices])


def _locate_exact(index: _Index, lat: float, lon: float) -> Placement:
    """Locate through the spatial index alone, without the cell cache."""
    code = _inside_code(_subset(index, index.tree.query(shapely.Point(lon, lat))), lat, lon)
    if code is not None:
        return index.inside[code]
    dlat, dlon = _window_deg(lat, SNAP_DISTANCE_M)
    best: Placement | None = None
    for shifted_lon in _longitude_copies(lon, dlon):
        window = shapely.box(shifted_lon - dlon, lat - dlat, shifted_lon + dlon, lat + dlat)
        found = _nearest(_subset(index, index.tree.query(window)), lat, shifted_lon, SNAP_DISTANCE_M)
        if found is not None and (best is None or (found.distance_m, found.code) < (best.distance_m, best.code)):
            best = found
    if best is None:
        raise OutsideSupportedArea(_TOO_FAR)
    return best


def locate(lat: float, lon: float) -> Placement:
    """Return the jurisdiction containing the point, or the nearest one within SNAP_DISTANCE_M."""
    _check_coordinates(lat, lon)
    index = _get_index()
    # Most points land in a cell wholly inside one state or far out at sea, answered without any geometry; the
    # rest test only the few parts near their cell.
    cached = index.cells.get(_cell_key(lat, lon))
    if cached is None:
        raise OutsideSupportedArea(_TOO_FAR)
    if isinstance(cached, Placement):
        return cached
    if cached is _UNCACHED:
        return _locate_exact(index, lat, lon)
    code = _inside_code(cached, lat, lon)
    if code is not None:
        return index.inside[code]
    nearest = _nearest(cached, lat, lon, SNAP_DISTANCE_M)
    if nearest is None:
        raise OutsideSupportedArea(_TOO_FAR)
    return nearest


def _tile_xy(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    """Web Mercator (slippy map) tile column and row containing the point; row 0 is the north edge."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError(f"coordinates are not finite numbers: ({lat}, {lon})")
    if not 0 <= zoom <= 31:
        raise ValueError(f"zoom {zoom} is outside [0, 31]")
    n = 1 << zoom
    lat = min(max(lat, -MAX_MERCATOR_LAT), MAX_MERCATOR_LAT)
    sin_lat = math.sin(math.radians(lat))
    x = math.floor((lon + 180.0) / 360.0 * n)
    y = math.floor((0.5 - math.log((1 + sin_lat) / (1 - sin_lat)) / (4 * math.pi)) * n)
    # Clamp so lon=180 and the Mercator cut-off land in the last tile rather than one past it.
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def _interleave(x: int, y: int, zoom: int) -> int:
    """Morton code with x bits in even and y bits in odd positions: the quadkey digits read as a base-4 number."""
    key = 0
    for bit in range(zoom):
        key |= ((x >> bit) & 1) << (2 * bit)
        key |= ((y >> bit) & 1) << (2 * bit + 1)
    return key


def tile_key(lat: float, lon: float, zoom: int = TILE_ZOOM) -> int:
    """Z-order key of the Web Mercator tile containing the point; a tile's descendants share its key as a prefix."""
    x, y = _tile_xy(lat, lon, zoom)
    return _interleave(x, y, zoom)


def cluster_level(zoom: int, levels: Sequence[int], venue_zoom: int) -> int | None:
    """The cell level a map at this zoom is drawn with: the finest level <= zoom + 3; None to draw single venues."""
    if zoom >= venue_zoom:
        return None
    fitting = [level for level in levels if level <= zoom + 3]
    return max(fitting) if fitting else min(levels)


def cell_divisor(level: int, key_zoom: int = TILE_ZOOM) -> int:
    """What a key_zoom tile key is divided by to give the key of its ancestor at a coarser level."""
    if not 0 <= level <= key_zoom:
        raise ValueError(f"level {level} must be between 0 and key_zoom {key_zoom}")
    return 1 << (2 * (key_zoom - level))


def cell_key(key: int, level: int, key_zoom: int = TILE_ZOOM) -> int:
    """The key of the coarser tile at `level` that contains the key_zoom tile `key`."""
    return key // cell_divisor(level, key_zoom)


def _merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort inclusive ranges and join those that touch or overlap."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def tile_key_ranges(
    west: float, south: float, east: float, north: float, zoom: int, key_zoom: int = TILE_ZOOM
) -> list[tuple[int, int]]:
    """Inclusive ranges of key_zoom tile keys covering the bbox, using whole tiles at the coarser `zoom`.

    Each coarse tile becomes one contiguous key range (its descendants), so a viewport turns into a handful of
    index range scans. A bbox with west > east crosses the antimeridian and is covered in two halves.
    """
    if not 0 <= zoom <= key_zoom:
        raise ValueError(f"zoom {zoom} must be between 0 and key_zoom {key_zoom}")
    if south > north:
        raise ValueError(f"south {south} is north of north {north}")
    if west > east:
        halves = tile_key_ranges(west, south, 180.0, north, zoom, key_zoom)
        halves += tile_key_ranges(-180.0, south, east, north, zoom, key_zoom)
        return _merge_ranges(halves)
    x_min, y_min = _tile_xy(north, west, zoom)
    x_max, y_max = _tile_xy(south, east, zoom)
    tiles = (x_max - x_min + 1) * (y_max - y_min + 1)
    if tiles > MAX_RANGE_TILES:
        raise ValueError(f"bbox needs {tiles} tiles at zoom {zoom}; use a coarser zoom")
    shift = 2 * (key_zoom - zoom)
    ranges = []
    for x in range(x_min, x_max + 1):
        for y in range(y_min, y_max + 1):
            key = _interleave(x, y, zoom)
            ranges.append((key << shift, ((key + 1) << shift) - 1))
    return _merge_ranges(ranges)
