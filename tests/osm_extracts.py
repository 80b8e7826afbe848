"""OpenStreetMap extracts built in code (pyosmium writes .osm XML and .osm.pbf) and as Overpass JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import osmium

# Places whose jurisdiction is not in doubt.
AUSTIN = (30.2672, -97.7431)
DALLAS = (32.7767, -96.7970)
HOUSTON = (29.7604, -95.3698)
OKLAHOMA_CITY = (35.4676, -97.5164)
MEXICO_CITY = (19.4326, -99.1332)
MID_ATLANTIC = (35.0, -50.0)

# Every mapped tag combination and the venue type it must give; the last rows must give none.
MAPPED_TAGS: list[tuple[dict[str, str], str | None]] = [
    ({"amenity": "fuel", "hgv": "yes"}, "truck_stop"),
    ({"amenity": "fuel"}, "gas_station"),
    ({"amenity": "fuel", "hgv": "no"}, "gas_station"),
    ({"amenity": "stripclub"}, "adult_entertainment"),
    ({"amenity": "bar"}, "bar_liquor_licensee"),
    ({"amenity": "pub"}, "bar_liquor_licensee"),
    ({"amenity": "nightclub"}, "bar_liquor_licensee"),
    ({"amenity": "casino"}, "casino"),
    ({"tourism": "hotel"}, "hotel_motel"),
    ({"tourism": "motel"}, "hotel_motel"),
    ({"shop": "massage"}, "massage_establishment"),
    ({"shop": "beauty", "beauty": "nails"}, "nail_salon"),
    ({"shop": "hairdresser"}, "cosmetology_salon"),
    ({"shop": "beauty"}, "cosmetology_salon"),
    ({"shop": "tattoo"}, "tattoo_studio"),
    ({"aeroway": "aerodrome", "iata": "AUS"}, "airport"),
    ({"amenity": "bus_station"}, "bus_station"),
    ({"railway": "station"}, "train_station"),
    ({"railway": "station", "station": "train"}, "train_station"),
    ({"highway": "rest_area"}, "rest_area"),
    ({"highway": "services"}, "rest_area"),
    ({"amenity": "hospital", "emergency": "yes"}, "emergency_room_hospital"),
    ({"amenity": "hospital"}, "hospital"),
    ({"amenity": "hospital", "emergency": "no"}, "hospital"),
    ({"aeroway": "aerodrome"}, None),
    ({"railway": "station", "station": "subway"}, None),
    ({"amenity": "cafe"}, None),
    ({"shop": "bakery"}, None),
]


@dataclass
class Extract:
    """Nodes, closed ways (areas) and multipolygon relations, written sorted as OSM files expect."""

    nodes: dict[int, tuple[float, float, dict[str, str], int]] = field(default_factory=dict)
    ways: dict[int, tuple[list[int], dict[str, str], int]] = field(default_factory=dict)
    relations: dict[int, tuple[list[tuple[str, int, str]], dict[str, str], int]] = field(default_factory=dict)
    next_helper_id: int = 9_000_000_000

    def node(self, osm_id: int, point: tuple[float, float], tags: dict[str, str], version: int = 1) -> None:
        self.nodes[osm_id] = (point[0], point[1], tags, version)

    def _corner_nodes(self, centre: tuple[float, float], half_deg: float) -> list[int]:
        lat, lon = centre
        ids = []
        for dlat, dlon in ((-1, -1), (-1, 1), (1, 1), (1, -1)):
            self.next_helper_id += 1
            self.nodes[self.next_helper_id] = (lat + dlat * half_deg, lon + dlon * half_deg, {}, 1)
            ids.append(self.next_helper_id)
        return ids

    def area(
        self, osm_id: int, centre: tuple[float, float], tags: dict[str, str], version: int = 1, half_deg=0.001
    ) -> None:
        """A closed square way around the centre: its centroid is the centre."""
        corners = self._corner_nodes(centre, half_deg)
        self.ways[osm_id] = ([*corners, corners[0]], tags, version)

    def multipolygon(
        self, osm_id: int, centre: tuple[float, float], tags: dict[str, str], version: int = 1, half_deg=0.002
    ) -> None:
        """A relation whose outer ring is two open ways (the square's halves), so the ring must be assembled."""
        a, b, c, d = self._corner_nodes(centre, half_deg)
        first, second = osm_id * 10 + 1, osm_id * 10 + 2
        self.ways[first] = ([a, b, c], {}, 1)
        self.ways[second] = ([c, d, a], {}, 1)
        self.relations[osm_id] = (
            [("w", first, "outer"), ("w", second, "outer")],
            {"type": "multipolygon", **tags},
            version,
        )

    def write(self, path: Path) -> Path:
        if path.exists():
            path.unlink()
        writer = osmium.SimpleWriter(str(path))
        try:
            for osm_id in sorted(self.nodes):
                lat, lon, tags, version = self.nodes[osm_id]
                writer.add_node(
                    osmium.osm.mutable.Node(
                        id=osm_id, location=(lon, lat), tags=tags, version=version, timestamp="2026-11-01T00:00:00Z"
                    )
                )
            for osm_id in sorted(self.ways):
                refs, tags, version = self.ways[osm_id]
                writer.add_way(osmium.osm.mutable.Way(id=osm_id, nodes=refs, tags=tags, version=version))
            for osm_id in sorted(self.relations):
                members, tags, version = self.relations[osm_id]
                writer.add_relation(osmium.osm.mutable.Relation(id=osm_id, members=members, tags=tags, version=version))
        finally:
            writer.close()
        return path

    def write_overpass(self, path: Path) -> Path:
        """The same data as Overpass `out geom` JSON: tagged elements only, ways and relations with coordinates."""
        elements: list[dict] = []
        for osm_id, (lat, lon, tags, version) in sorted(self.nodes.items()):
            if tags:
                elements.append(
                    {"type": "node", "id": osm_id, "lat": lat, "lon": lon, "version": version, "tags": tags}
                )

        def geometry(refs: list[int]) -> list[dict[str, float]]:
            return [{"lat": self.nodes[ref][0], "lon": self.nodes[ref][1]} for ref in refs]

        for osm_id, (refs, tags, version) in sorted(self.ways.items()):
            if tags:
                elements.append(
                    {"type": "way", "id": osm_id, "version": version, "tags": tags, "geometry": geometry(refs)}
                )
        for osm_id, (members, tags, version) in sorted(self.relations.items()):
            elements.append(
                {
                    "type": "relation",
                    "id": osm_id,
                    "version": version,
                    "tags": tags,
                    "members": [
                        {"type": "way", "ref": ref, "role": role, "geometry": geometry(self.ways[ref][0])}
                        for _, ref, role in members
                    ],
                }
            )
        document = {"version": 0.6, "osm3s": {"timestamp_osm_base": "2026-11-02T10:00:00Z"}, "elements": elements}
        path.write_text(json.dumps(document), encoding="utf-8")
        return path
