"""No page or read endpoint runs a query per row: its query count stays the same when the data triples.

A page that loads each venue's photo or type, or each letter's answer, one query at a time is fast in a test and
slow under load; the count is compared at two sizes of the same data, so the test fails on any N+1.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance import scoreboard
from compliance.models import Jurisdiction, Letter, Venue
from tests.test_compliance_api import AUSTIN, add_observation, approved_venue

TYPES = ("bus_station", "truck_stop", "hotel_motel")


def grow(venues: int, offset: int, author) -> Venue:
    """Add Texas venues of several types, each with two approved reports, and a letter; the last venue made."""
    venue = None
    for n in range(offset, offset + venues):
        venue = approved_venue("TX", TYPES[n % 3], "posted", AUSTIN[0] + 0.001 * n, AUSTIN[1] + 0.001 * n, 90)
        add_observation(venue, "missing" if n % 2 else "posted", 5)
    Letter.objects.create(
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        kind=Letter.Kind.ENFORCEMENT,
        author=author,
        subject="Enforcement",
        body="Please enforce the posting law.",
        outreach_status=Letter.Outreach.SENT,
        sent_on=timezone.localdate() - datetime.timedelta(days=offset + 1),
    )
    assert venue is not None
    return venue


def pages(venue: Venue) -> list[str]:
    return [
        "/",
        "/j/TX/",
        f"/v/{venue.public_id}/",
        "/reports/TX/",
        "/method/",
        "/laws/",
        "/feeds/all.atom",
        "/feeds/TX.atom",
        "/api/compliance/",
        "/api/jurisdictions/TX/",
        f"/api/venues/{venue.public_id}/",
        f"/api/venues/nearby/?lat={AUSTIN[0]}&lon={AUSTIN[1]}",
        "/api/map/?bbox=-98.0,30.0,-97.0,31.0&zoom=14",
        "/api/map/?bbox=-125,24,-66,50&zoom=4",
        "/api/letters/",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{venue.observations.first().public_id}.json",
    ]


def counts(client, venue: Venue) -> dict[str, int]:
    result = {}
    for url in pages(venue):
        cache.clear()  # every answer built from the database, not from a cached copy
        scoreboard.invalidate()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        report_id = str(venue.observations.first().public_id)
        result[url.replace(str(venue.public_id), "<venue>").replace(report_id, "<report>")] = len(queries)
    return result


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_data(client, advocate):
    small = counts(client, grow(4, 0, advocate))
    large = counts(client, grow(12, 4, advocate))
    print("queries per page:", large)
    grew = {url: (small[url], large[url]) for url in small if large[url] > small[url]}
    assert not grew, f"queries per page grew with the data (small, large): {grew}"
