"""The bulk loader (COPY on PostgreSQL, bulk_create elsewhere) writes rows the ORM reads back whole."""

from __future__ import annotations

import datetime
import uuid

from django.db.models import Max
from django.utils import timezone

from compliance import bulk, demo, geo, scoreboard
from compliance.models import Jurisdiction, Observation, Venue, VenueCluster, VenueType


def test_bulk_insert_sets_keys_defaults_and_leaves_the_sequence_ahead(db):
    texas = Jurisdiction.objects.get(code="TX")
    station = VenueType.objects.get(slug="bus_station")
    venues = [
        Venue(
            venue_type=station,
            name=f"Station {n}",
            latitude=30.2 + n / 1000,
            longitude=-97.7,
            jurisdiction=texas,
            tile_key=geo.tile_key(30.2 + n / 1000, -97.7),
        )
        for n in range(7)
    ]
    bulk.insert(venues)
    assert all(venue.pk for venue in venues)
    rows = [
        Observation(
            venue=venue,
            sign_status="posted",
            observed_on=timezone.localdate() - datetime.timedelta(days=n),
            captured_latitude=venue.latitude,
            captured_longitude=venue.longitude,
            location_source="device",
            review_status="approved",
            receipt=uuid.uuid4().hex,
            published_at=timezone.now(),
            notes='a "quoted"\ttab\nand\\backslash',
        )
        for n, venue in enumerate(venues)
    ]
    bulk.insert(rows)
    stored = Observation.objects.get(pk=rows[3].pk)
    assert stored.venue_id == venues[3].pk
    assert stored.notes == 'a "quoted"\ttab\nand\\backslash'
    assert stored.deficiencies == [] and stored.flags == []  # Python-side defaults, written out
    assert isinstance(stored.public_id, uuid.UUID) and stored.created_at is not None
    assert len({row.public_id for row in Observation.objects.all()}) == 7
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
