"""The public map's data: clusters of venues at low zoom, single venues at high zoom, bounded whatever the data size.

Low zooms read VenueCluster rows (counts kept per map cell as venue statuses change), so their cost depends on the
number of cells in view, not on the number of venues; high zooms read venues through their tile key. Only approved
data is here, and the point shown is the venue's, never where a volunteer stood.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import reverse

from compliance import geo
from compliance.i18n import speaks_spanish
from compliance.models import ALL_VENUE_TYPES, CLUSTER_LEVELS, SignStatus, Venue, VenueCluster, VenueType

VENUE_ZOOM = 13  # from this zoom in, single venues
MAX_VENUES = 500  # a denser high-zoom viewport is drawn as clusters instead
MAX_CLUSTERS = 1_000
STATUSES = tuple(SignStatus.values)  # SignStatus.values builds a new list on every use: once here, not once per row


@dataclass(frozen=True)
class View:
    """A map viewport and its filters, validated."""

    west: float
    south: float
    east: float
    north: float
    zoom: int
    venue_type: VenueType | None = None
    statuses: tuple[str, ...] = tuple(SignStatus.values)


def _key_ranges(view: View, key_zoom: int) -> list[tuple[int, int]]:
    """Key ranges covering the viewport, coarsened until they are few enough to be index range scans."""
    zoom = min(view.zoom, key_zoom)
    while True:
        try:
            return geo.tile_key_ranges(view.west, view.south, view.east, view.north, zoom, key_zoom)
        except ValueError:
            if zoom == 0:
                raise
            zoom = max(zoom - 2, 0)


def _in_ranges(field: str, ranges: Sequence[tuple[int, int]]) -> models.Q:
    """Keys inside any of the ranges, with the overall bounds stated too: SQLite's planner only seeks on an index
    through a plain range, and would otherwise read every row of the level to test the ORs."""
    condition = models.Q()
    for start, end in ranges:
        condition |= models.Q(**{f"{field}__range": (start, end)})
    overall = {f"{field}__gte": min(start for start, _ in ranges), f"{field}__lte": max(end for _, end in ranges)}
    return models.Q(**overall) & condition


def _in_bbox(view: View) -> models.Q:
    inside = models.Q(latitude__gte=view.south, latitude__lte=view.north)
    if view.west <= view.east:
        return inside & models.Q(longitude__gte=view.west, longitude__lte=view.east)
    return inside & (models.Q(longitude__gte=view.west) | models.Q(longitude__lte=view.east))


def _point(longitude: float, latitude: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(longitude, 6), round(latitude, 6)]}


def _cells(rows: Iterable[tuple[int, str, int, float, float]]) -> dict[int, dict[str, Any]]:
    """Fold (cell, status, venues, latitude sum, longitude sum) rows into one entry per cell."""
    cells: dict[int, dict[str, Any]] = {}
    for cell, status, venues, latitude_sum, longitude_sum in rows:
        entry = cells.get(cell)
        if entry is None:
            entry = cells[cell] = {"venues": 0, "lat": 0.0, "lon": 0.0, **dict.fromkeys(STATUSES, 0)}
        entry[status] += venues
        entry["venues"] += venues
        entry["lat"] += latitude_sum
        entry["lon"] += longitude_sum
    return cells


def _cluster_features(cells: dict[int, dict[str, Any]], level: int) -> list[dict[str, Any]]:
    """One feature per cell: venues by status and their mean point."""
    features = []
    for cell, entry in list(cells.items())[:MAX_CLUSTERS]:
        counts = {status: entry[status] for status in STATUSES}
        features.append(
            {
                "type": "Feature",
                "id": f"c{level}-{cell}",
                "geometry": _point(entry["lon"] / entry["venues"], entry["lat"] / entry["venues"]),
                "properties": {"kind": "cluster", "venues": entry["venues"], **counts},
            }
        )
    return features


def clusters(view: View, level: int) -> tuple[list[dict[str, Any]], int]:
    """Clusters from the kept counts (VenueCluster): cost set by the cells in view, not by the venues."""
    while True:
        rows = (
            VenueCluster.objects.filter(
                _in_ranges("cell", _key_ranges(view, level)),
                level=level,
                venue_type_key=view.venue_type.pk if view.venue_type else ALL_VENUE_TYPES,
                status__in=view.statuses,
                venues__gt=0,
            )
            .order_by("cell")
            .values_list("cell", "status", "venues", "latitude_sum", "longitude_sum")
        )
        cells = _cells(rows)
        if len(cells) <= MAX_CLUSTERS or level == min(CLUSTER_LEVELS):
            return _cluster_features(cells, level), level
        level = max(candidate for candidate in CLUSTER_LEVELS if candidate < level)


def _public_venues_in_view(view: View) -> models.QuerySet[Venue]:
    queryset = Venue.objects.public().filter(
        _in_ranges("tile_key", _key_ranges(view, geo.TILE_ZOOM)), _in_bbox(view), current_status__in=view.statuses
    )
    return queryset.filter(venue_type=view.venue_type) if view.venue_type else queryset


def fine_clusters(view: View) -> tuple[list[dict[str, Any]], int]:
    """Clusters counted on the spot from the venues in a zoomed-in view too dense to draw one by one.

    The kept counts stop at level 12, coarser than such a view; here the venues are few enough (one viewport at
    zoom 13 or more) to group in SQL by a tile three levels finer than the map.
    """
    level = min(view.zoom + 3, geo.TILE_ZOOM)
    cell = models.ExpressionWrapper(
        models.F("tile_key") / geo.cell_divisor(level), output_field=models.BigIntegerField()
    )
    rows = (
        _public_venues_in_view(view)
        .annotate(cell=cell)
        .values("cell", "current_status")
        .annotate(venues=models.Count("pk"), latitude_sum=models.Sum("latitude"), longitude_sum=models.Sum("longitude"))
        .order_by("cell")
        .values_list("cell", "current_status", "venues", "latitude_sum", "longitude_sum")
    )
    return _cluster_features(_cells(rows), level), level


def venues(view: View) -> list[dict[str, Any]] | None:
    """One feature per public venue in view; None when there are more than MAX_VENUES (draw clusters instead)."""
    in_view = _public_venues_in_view(view)
    # Count on the index alone first; fetch and join full rows only when there are few enough to draw.
    ids = list(in_view.order_by().values_list("pk", flat=True)[: MAX_VENUES + 1])
    if len(ids) > MAX_VENUES:
        return None
    rows = list(
        Venue.objects.filter(pk__in=ids)
        .order_by("pk")
        .values(
            "pk",
            "public_id",
            "name",
            "latitude",
            "longitude",
            "current_status",
            "status_observed_on",
            "is_demo",
            "disputed",
            "venue_type__slug",
            "venue_type__name",
            "venue_type__name_es",
            "latest_photo__public_id",
        )
    )
    spanish = speaks_spanish()
    return [
        {
            "type": "Feature",
            "id": str(row["public_id"]),
            "geometry": _point(row["longitude"], row["latitude"]),
            "properties": {
                "kind": "venue",
                "name": row["name"],
                "venue_type": row["venue_type__slug"],
                "venue_type_name": (spanish and row["venue_type__name_es"]) or row["venue_type__name"],
                "status": row["current_status"],
                "observed_on": row["status_observed_on"].isoformat() if row["status_observed_on"] else None,
                "demo": row["is_demo"],
                "disputed": row["disputed"],
                "url": reverse("venue", args=[row["public_id"]]),
                "thumbnail": (
                    reverse("photo-thumbnail", args=[row["latest_photo__public_id"]])
                    if row["latest_photo__public_id"]
                    else None
                ),
            },
        }
        for row in rows
    ]


def features(view: View) -> dict[str, Any]:
    """The GeoJSON answer for a viewport: single venues when zoomed in and few enough, else clusters."""
    level = geo.cluster_level(view.zoom, CLUSTER_LEVELS, VENUE_ZOOM)
    if level is None:
        single = venues(view)
        if single is not None:
            return {"type": "FeatureCollection", "mode": "venues", "features": single}
        grouped, level = fine_clusters(view)
    else:
        grouped, level = clusters(view, level)
    return {"type": "FeatureCollection", "mode": "clusters", "level": level, "features": grouped}
