"""Reading OpenStreetMap extracts into venue-frame features: which tags make a venue type, and where each one is.

Pure module: no Django, no database. `.osm.pbf` and `.osm` XML are read with pyosmium in a few streaming passes
that keep only what matched (tagged venues and the nodes of their outlines), never every node location, so a
whole-state extract needs memory in proportion to its venues, not its size. Overpass JSON (`out center` or
`out geom`) is read as one document.
"""

from __future__ import annotations

import contextlib
import datetime
import json
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import osmium.filter
from shapely.geometry import LineString, MultiPoint, Polygon
from shapely.ops import polygonize, unary_union

TAG_RULES_PATH = Path(__file__).resolve().parent / "data" / "osm_venue_tags.json"
NAME_MAX_LENGTH = 120


class UnreadableExtract(ValueError):
    """The file is not an OpenStreetMap extract SignWatch can read; args[0] says why."""


@dataclass(frozen=True)
class TagRule:
    """Tags an element must carry to be a venue of one type (see compliance/data/osm_venue_tags.json)."""

    venue_type: str
    tags: Mapping[str, str | list[str | None] | bool]

    def matches(self, tags: Mapping[str, str]) -> bool:
        """True when every tag condition holds for the element's tags."""
        for key, wanted in self.tags.items():
            value = tags.get(key)
            if wanted is True:
                ok = value is not None
            elif wanted is False:
                ok = value is None
            elif isinstance(wanted, list):
                ok = value in wanted
            else:
                ok = value == wanted
            if not ok:
                return False
        return True

    @property
    def anchor_tags(self) -> list[tuple[str, str]] | None:
        """The (key, value) pairs one of which every matching element has, when a tag's values are listed."""
        for key, wanted in self.tags.items():
            if isinstance(wanted, str):
                return [(key, wanted)]
            if isinstance(wanted, list) and None not in wanted:
                return [(key, value) for value in wanted if value is not None]
        return None

    @property
    def anchor_keys(self) -> list[str]:
        """Keys every matching element has: enough to let the C++ side skip everything else."""
        return [
            key
            for key, wanted in self.tags.items()
            if wanted is True or isinstance(wanted, str) or (isinstance(wanted, list) and None not in wanted)
        ]


@dataclass(frozen=True)
class Feature:
    """One OSM element that is a covered venue: its identity, type, name and a point (an area's centroid)."""

    osm_type: str  # "n", "w" or "r"
    osm_id: int
    version: int
    venue_type: str
    name: str
    latitude: float
    longitude: float


@dataclass
class ReadStats:
    """What reading an extract found besides features: its date and the elements that could not be placed."""

    as_of: datetime.date | None = None
    unplaced: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: {"n": 0, "w": 0, "r": 0})


class TagRules:
    """The rules in order, indexed by the tag values that anchor them, so an element is tried only against the
    rules it could match (a fuel station against the two fuel rules, not all of them)."""

    def __init__(self, rules: Sequence[TagRule]) -> None:
        self.rules = list(rules)
        self._by_tag: dict[tuple[str, str], list[int]] = {}
        self._unanchored: list[int] = []
        for position, rule in enumerate(self.rules):
            pairs = rule.anchor_tags
            if pairs is None:
                self._unanchored.append(position)
            for pair in pairs or ():
                self._by_tag.setdefault(pair, []).append(position)

    def __iter__(self) -> Iterator[TagRule]:
        return iter(self.rules)

    def venue_type_for(self, tags: Mapping[str, str]) -> str | None:
        """The venue type of the first rule the tags match, or None."""
        candidates = set(self._unanchored)
        for pair in tags.items():
            candidates.update(self._by_tag.get(pair, ()))
        for position in sorted(candidates):
            if self.rules[position].matches(tags):
                return self.rules[position].venue_type
        return None


def load_rules(path: Path = TAG_RULES_PATH) -> TagRules:
    """The tag rules, in the order they are tried."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rules = [TagRule(venue_type=rule["venue_type"], tags=rule["tags"]) for rule in data["rules"]]
    for rule in rules:
        if not rule.anchor_keys:
            raise ValueError(f"rule for {rule.venue_type} needs at least one required tag")
    return TagRules(rules)


def venue_type_for(tags: Mapping[str, str], rules: TagRules) -> str | None:
    """The venue type of the first rule the tags match, or None."""
    return rules.venue_type_for(tags)


def _name(tags: Mapping[str, str]) -> str:
    return (tags.get("name") or tags.get("brand") or tags.get("operator") or "")[:NAME_MAX_LENGTH]


def _centroid(points: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """(lat, lon) of a closed ring's area centroid, or of the points when they do not enclose an area."""
    if not points:
        return None
    lonlat = [(lon, lat) for lat, lon in points]
    if len(lonlat) >= 4 and lonlat[0] == lonlat[-1]:
        polygon = Polygon(lonlat)
        if polygon.is_valid and polygon.area > 0:
            return polygon.centroid.y, polygon.centroid.x
    centre = MultiPoint(lonlat).centroid
    return centre.y, centre.x


def _rings_centroid(lines: Sequence[Sequence[tuple[float, float]]]) -> tuple[float, float] | None:
    """(lat, lon) centroid of the polygons a multipolygon's outer ways close, or of their points."""
    strings = [LineString([(lon, lat) for lat, lon in line]) for line in lines if len(line) >= 2]
    polygons = list(polygonize(strings))
    if polygons:
        area = unary_union(polygons)
        if area.area > 0:
            return area.centroid.y, area.centroid.x
    return _centroid([point for line in lines for point in line])


def read(path: Path | str, rules: TagRules | None = None, stats: ReadStats | None = None) -> Iterator[Feature]:
    """Yield the venues in an extract (.osm.pbf, .osm, .osm.bz2/.gz, or Overpass .json), streaming."""
    path = Path(path)
    rules = rules if rules is not None else load_rules()
    stats = stats if stats is not None else ReadStats()
    if not path.is_file():
        raise UnreadableExtract(f"no such file: {path}")
    if path.suffix.lower() == ".json":
        yield from _read_overpass(path, rules, stats)
    else:
        yield from _read_osmium(path, rules, stats)


def _tags(element: Any) -> dict[str, str]:
    return {tag.k: tag.v for tag in element.tags}


def _header_date(path: Path) -> datetime.date | None:
    header = osmium.io.Reader(str(path), osmium.osm.NOTHING)
    try:
        stamp = header.header().get("osmosis_replication_timestamp") or header.header().get("timestamp")
    finally:
        header.close()
    if not stamp:
        return None
    try:
        return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).date()
    except ValueError:
        return None


class _LatestStamp:
    """Tracks the newest element timestamp seen, the extract's date when its header has none."""

    def __init__(self) -> None:
        self.latest: datetime.datetime | None = None

    def see(self, element: Any) -> None:
        stamp = element.timestamp
        if stamp is not None and stamp.year > 1970 and (self.latest is None or stamp > self.latest):
            self.latest = stamp


@dataclass
class _Outline:
    osm_type: str
    osm_id: int
    version: int
    venue_type: str
    name: str
    refs: array[int]  # node ids (ways) or outer member way ids (relations)


def _prefilter(rules: TagRules) -> Any:
    """A filter that lets through only elements some rule could match, applied in C++ before Python sees them.

    By tag when every rule names a tag value (a road's highway=residential never reaches Python), else by key.
    """
    anchors = [rule.anchor_tags for rule in rules]
    if all(anchors):
        return osmium.filter.TagFilter(*sorted({pair for pairs in anchors if pairs for pair in pairs}))
    return osmium.filter.KeyFilter(*sorted({key for rule in rules for key in rule.anchor_keys}))


def _read_osmium(path: Path, rules: TagRules, stats: ReadStats) -> Iterator[Feature]:
    latest = _LatestStamp()
    try:
        stats.as_of = _header_date(path)
    except RuntimeError as error:
        raise UnreadableExtract(str(error)) from error

    # Pass 1: tagged ways and relations that are venues, with the ids their outlines need.
    ways: list[_Outline] = []
    relations: list[_Outline] = []
    try:
        for element in _elements(path, osmium.osm.WAY | osmium.osm.RELATION, _prefilter(rules)):
            if not element.visible:
                continue
            tags = _tags(element)
            venue_type = venue_type_for(tags, rules)
            if venue_type is None:
                continue
            latest.see(element)
            if isinstance(element, osmium.osm.Way):
                refs = array("q", (ref.ref for ref in element.nodes))
                ways.append(_Outline("w", element.id, element.version, venue_type, _name(tags), refs))
            else:
                members = array("q", (m.ref for m in element.members if m.type == "w" and m.role != "inner"))
                relations.append(_Outline("r", element.id, element.version, venue_type, _name(tags), members))
    except RuntimeError as error:
        raise UnreadableExtract(str(error)) from error

    # Pass 2: the node lists of the ways that outline the relations.
    member_refs: dict[int, array[int]] = {}
    wanted_ways = {ref for relation in relations for ref in relation.refs}
    if wanted_ways:
        for member in _elements(path, osmium.osm.WAY, osmium.filter.IdFilter(wanted_ways)):
            member_refs[member.id] = array("q", (ref.ref for ref in member.nodes))

    # Pass 3: venue nodes, yielded as they stream past.
    for node in _elements(path, osmium.osm.NODE, _prefilter(rules)):
        if not node.visible or not node.location.valid():
            continue
        tags = _tags(node)
        venue_type = venue_type_for(tags, rules)
        if venue_type is None:
            continue
        latest.see(node)
        stats.by_kind["n"] += 1
        location = node.location
        yield Feature("n", node.id, node.version, venue_type, _name(tags), location.lat, location.lon)

    # Pass 4: the locations of the outlines' nodes, kept in sorted arrays (16 bytes a node, no dict overhead).
    needed = {ref for outline in ways for ref in outline.refs} | {ref for refs in member_refs.values() for ref in refs}
    ids = array("q")
    lats = array("d")
    lons = array("d")
    if needed:
        for node in _elements(path, osmium.osm.NODE, osmium.filter.IdFilter(needed)):
            if node.location.valid():
                ids.append(node.id)
                lats.append(node.location.lat)
                lons.append(node.location.lon)
    del needed
    locations = _Locations(ids, lats, lons)

    for outline in ways:
        point = _centroid(locations.points(outline.refs))
        if point is None:
            stats.unplaced += 1
            continue
        stats.by_kind["w"] += 1
        yield Feature("w", outline.osm_id, outline.version, outline.venue_type, outline.name, *point)
    for relation in relations:
        lines = [locations.points(member_refs[ref]) for ref in relation.refs if ref in member_refs]
        point = _rings_centroid(lines)
        if point is None:
            stats.unplaced += 1
            continue
        stats.by_kind["r"] += 1
        yield Feature("r", relation.osm_id, relation.version, relation.venue_type, relation.name, *point)
    if stats.as_of is None and latest.latest is not None:
        stats.as_of = latest.latest.date()


def _elements(path: Path, entities: Any, only: Any) -> Iterator[Any]:
    """The elements of the given kinds that pass a C++-side filter (the rest never reach Python)."""
    yield from osmium.FileProcessor(str(path), entities).with_filter(only)


class _Locations:
    """Node id → (lat, lon) over sorted numpy arrays."""

    def __init__(self, ids: array[int], lats: array[float], lons: array[float]) -> None:
        order = np.argsort(np.frombuffer(ids, dtype=np.int64), kind="stable") if ids else np.array([], dtype=np.intp)
        self.ids = np.frombuffer(ids, dtype=np.int64)[order] if ids else np.array([], dtype=np.int64)
        self.lats = np.frombuffer(lats, dtype=np.float64)[order] if lats else np.array([], dtype=np.float64)
        self.lons = np.frombuffer(lons, dtype=np.float64)[order] if lons else np.array([], dtype=np.float64)

    def points(self, refs: array[int]) -> list[tuple[float, float]]:
        """The (lat, lon) of each node found, in order; missing nodes (cut off by the extract) are left out."""
        if not len(refs) or not len(self.ids):
            return []
        wanted = np.frombuffer(refs, dtype=np.int64)
        at = np.searchsorted(self.ids, wanted)
        at = np.minimum(at, len(self.ids) - 1)
        found = self.ids[at] == wanted
        return list(zip(self.lats[at][found].tolist(), self.lons[at][found].tolist(), strict=True))


def _read_overpass(path: Path, rules: TagRules, stats: ReadStats) -> Iterator[Feature]:
    try:
        document = json.loads(path.read_bytes())
        elements = document["elements"]
    except (ValueError, KeyError, TypeError) as error:
        raise UnreadableExtract(f"not Overpass JSON: {error}") from error
    stamp = (document.get("osm3s") or {}).get("timestamp_osm_base")
    if isinstance(stamp, str):
        with contextlib.suppress(ValueError):
            stats.as_of = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).date()
    kinds = {"node": "n", "way": "w", "relation": "r"}
    for element in elements:
        if not isinstance(element, dict) or element.get("type") not in kinds:
            continue
        tags = element.get("tags") or {}
        if not isinstance(tags, dict):
            continue
        venue_type = venue_type_for(tags, rules)
        if venue_type is None:
            continue
        point = _overpass_point(element)
        if point is None:
            stats.unplaced += 1
            continue
        kind = kinds[element["type"]]
        stats.by_kind[kind] += 1
        yield Feature(kind, int(element["id"]), int(element.get("version") or 0), venue_type, _name(tags), *point)


def _overpass_point(element: dict[str, Any]) -> tuple[float, float] | None:
    """(lat, lon) of an Overpass element: a node's own, a centre from `out center`, or a centroid from `out geom`."""
    try:
        if "lat" in element and "lon" in element:
            return float(element["lat"]), float(element["lon"])
        if isinstance(element.get("center"), dict):
            return float(element["center"]["lat"]), float(element["center"]["lon"])
        geometry = element.get("geometry")
        if isinstance(geometry, list) and geometry:
            return _centroid([(float(p["lat"]), float(p["lon"])) for p in geometry])
        members = element.get("members")
        if isinstance(members, list):
            lines = [
                [(float(p["lat"]), float(p["lon"])) for p in member["geometry"]]
                for member in members
                if isinstance(member, dict) and member.get("role") != "inner" and member.get("geometry")
            ]
            return _rings_centroid(lines) if lines else None
        if isinstance(element.get("bounds"), dict):
            bounds = element["bounds"]
            return (bounds["minlat"] + bounds["maxlat"]) / 2, (bounds["minlon"] + bounds["maxlon"]) / 2
    except (KeyError, TypeError, ValueError):
        return None
    return None
