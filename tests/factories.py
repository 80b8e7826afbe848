"""Builders of test data: frame venues as the import makes them, approved reports of them, and owners' claims."""

from __future__ import annotations

import datetime
import itertools
import uuid

from django.utils import timezone

from compliance import geo
from compliance.models import Jurisdiction, Observation, Venue, VenueType

_osm_ids = itertools.count(1)


def frame_venue(code: str, venue_type: str, lat: float, lon: float, **fields) -> Venue:
    """A venue as import_osm_venues makes it: OSM's element and point, no report yet."""
    return Venue.objects.create(
        venue_type=VenueType.objects.get(slug=venue_type),
        latitude=lat,
        longitude=lon,
        jurisdiction=Jurisdiction.objects.get(code=code),
        tile_key=geo.tile_key(lat, lon),
        osm_type="n",
        osm_id=next(_osm_ids),
        osm_version=1,
        **fields,
    )


def report(venue: Venue, status: str, days_ago: int) -> Observation:
    """An approved report of the venue, the venue's status brought up to date."""
    observation = Observation.objects.create(
        venue=venue,
        sign_status=status,
        observed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        captured_latitude=venue.latitude,
        captured_longitude=venue.longitude,
        location_source="device",
        review_status="approved",
        receipt=uuid.uuid4().hex,
        published_at=timezone.now(),
    )
    venue.refresh_current_status()
    return observation


def owner_claim(venue: Venue, days_ago: int, review_status: str = "approved") -> Observation:
    """A venue owner's report that the sign is posted, reviewed as given (compliance/owners.py)."""
    return Observation.objects.create(
        venue=venue,
        sign_status="posted",
        observed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        captured_latitude=venue.latitude,
        captured_longitude=venue.longitude,
        location_source="venue",
        review_status=review_status,
        receipt=uuid.uuid4().hex,
        published_at=timezone.now() if review_status == "approved" else None,
        reported_by_owner=True,
    )
