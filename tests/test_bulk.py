"""The bulk loader (COPY on PostgreSQL, bulk_create elsewhere) writes rows the ORM reads back whole."""

from __future__ import annotations

import datetime
import uuid

from django.db.models import Max
from django.utils import timezone

from compliance import bulk, demo, geo, scoreboard
from compliance.models import Jurisdiction, Observation, Venue, VenueCluster, VenueType


def test_rows_get_keys_defaults_and_leave_the_sequence_ahead(db):
    texas = Jurisdiction.objects.get(code="TX")
    station = VenueType.objects.get(slug="bus_station")
    points = [(30.2 + n / 1000, -97.7) for n in range(7)]
    venue_keys = bulk.insert_rows(
        Venue,
        ("venue_type_id", "name", "latitude", "longitude", "jurisdiction_id", "tile_key"),
        [
            (station.pk, f"Station {n}", lat, lon, texas.pk, geo.tile_key(lat, lon))
            for n, (lat, lon) in enumerate(points)
        ],
    )
    assert list(Venue.objects.order_by("pk").values_list("pk", flat=True)) == list(venue_keys)
    today = timezone.localdate()
    note = 'a "quoted"\ttab\nand\\backslash, a comma'
    observation_keys = bulk.insert_rows(
        Observation,
        (
            "venue_id",
            "sign_status",
            "observed_on",
            "captured_latitude",
            "captured_longitude",
            "location_source",
            "review_status",
            "receipt",
            "published_at",
            "notes",
        ),
        [
            (
                key,
                "posted",
                today - datetime.timedelta(days=n),
                *points[n],
                "device",
                "approved",
                uuid.uuid4().hex,
                timezone.now(),
                note,
            )
            for n, key in enumerate(venue_keys)
        ],
    )
    stored = Observation.objects.get(pk=observation_keys[3])
    assert stored.venue_id == venue_keys[3] and stored.venue.name == "Station 3"
    assert stored.notes == note and stored.observed_on == today - datetime.timedelta(days=3)
    assert stored.deficiencies == [] and stored.flags == []  # defaults of JSON fields, written out
    assert isinstance(stored.public_id, uuid.UUID) and stored.created_at is not None
    assert len(set(Observation.objects.values_list("public_id", flat=True))) == 7  # one fresh UUID per row
    assert Venue.objects.get(pk=venue_keys[0]).current_status == ""
    # The ORM's next row takes a key after the loaded ones.
    later = Venue.objects.create(
        venue_type=station, latitude=30.0, longitude=-97.0, jurisdiction=texas, tile_key=geo.tile_key(30.0, -97.0)
    )
    assert later.pk > Venue.objects.exclude(pk=later.pk).aggregate(top=Max("pk"))["top"]


def test_demo_data_loaded_in_bulk_is_consistent(db):
    summary = demo.load(venues=300, observations_per_venue=3, seed=11)
    assert (summary.venues, Venue.objects.count()) == (300, 300)
    assert Observation.objects.count() == summary.observations
    for venue in Venue.objects.order_by("?")[:40]:
        latest = venue.observations.order_by("-observed_on", "-created_at", "-pk").first()
        assert (venue.current_status, venue.status_observed_on) == (latest.sign_status, latest.observed_on)
    all_types_level_4 = VenueCluster.objects.filter(level=4, venue_type_key=0)
    assert sum(all_types_level_4.values_list("venues", flat=True)) == 300
    figures = scoreboard.current().data["jurisdictions"]
    counted = sum(
        (entry["overall"] or entry["voluntary"])["n"] + entry["excluded_before_law"] + entry["disputed_venues"]
        for entry in figures.values()
    )
    # Every fresh venue is somewhere in the figures (counted, before its law, or disputed) or in an uncovered type.
    assert 0 < counted <= 300
