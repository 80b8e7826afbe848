"""A stranger's view of venues: only public venues can be named, by random ids, and every refusal reads the same."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from compliance import geo
from compliance.models import Jurisdiction, Observation, Venue, VenueCluster, VenueType
from tests import images
from tests.conftest import stored_files

AUSTIN = (30.26721234, -97.74312345)
HOUSTON = (29.76042713, -95.36981234)


def report(client: APIClient, point, *, seed: int, venue_type: str = "truck_stop", **fields):
    data = {
        "venue_type": venue_type,
        "sign_status": "missing",
        "lat": point[0],
        "lon": point[1],
        **fields,
        "photos": [SimpleUploadedFile("IMG_0001.jpg", images.jpeg(images.photo_like(640, 480, seed=seed)))],
    }
    return client.post("/api/observations/", data, format="multipart")


@pytest.fixture
def venues(api, moderator_api):
    """A public venue (approved report), one known only through a pending report, one through a rejected report."""
    made = {}
    for name, point, seed, decision in (
        ("public", AUSTIN, 1, {"action": "approve"}),
        ("pending", HOUSTON, 2, None),
        ("rejected", (HOUSTON[0] + 0.01, HOUSTON[1]), 3, {"action": "reject", "reason": "Blurred"}),
    ):
        answer = report(APIClient(), point, seed=seed)
        assert answer.status_code == 201
        if decision:
            assert (
                moderator_api.post(f"/api/moderation/observations/{answer.json()['id']}/", decision).status_code == 200
            )
        made[name] = Observation.objects.get(public_id=answer.json()["id"]).venue
    return made


def test_venue_id_names_public_venues_only_and_every_refusal_reads_the_same(api, venues, media_root):
    before = Observation.objects.count()
    files_before = stored_files(media_root)
    refusals = {
        "pending venue": str(venues["pending"].public_id),
        "rejected venue": str(venues["rejected"].public_id),
        "unknown uuid": "00000000-0000-4000-8000-000000000000",
        "database id of a pending venue": str(venues["pending"].pk),
        "database id of a public venue": str(venues["public"].pk),
        "not an id": "'; DROP TABLE venue; --",
    }
    bodies = {}
    for what, venue_id in refusals.items():
        answer = report(api, HOUSTON, seed=10, venue_id=venue_id)
        assert answer.status_code == 400, what
        bodies[what] = answer.json()
    assert len({tuple(sorted(body.items())) for body in bodies.values()}) == 1, bodies
    assert next(iter(bodies.values()))["code"] == "unknown_venue"
    assert Observation.objects.count() == before
    assert stored_files(media_root) == files_before  # refused before a photo was stored
    accepted = report(api, AUSTIN, seed=11, venue_id=str(venues["public"].public_id))
    assert accepted.status_code == 201
    assert accepted.json()["venue_id"] == str(venues["public"].public_id)
    assert Observation.objects.get(public_id=accepted.json()["id"]).venue == venues["public"]


def test_approving_a_report_never_publishes_a_venue_someone_else_reported(api, moderator_api, venues):
    # The attack: name the victim's pending venue in one's own report, then have it approved. It cannot be named.
    attack = report(api, HOUSTON, seed=12, venue_id=str(venues["pending"].public_id))
    assert attack.status_code == 400
    assert api.get(f"/api/venues/{venues['pending'].public_id}/").status_code == 404
    assert api.get(f"/v/{venues['pending'].public_id}/").status_code == 404


def test_answers_name_venues_by_public_id_only(api, venues):
    public = venues["public"]
    detail = api.get(f"/api/venues/{public.public_id}/").json()
    assert detail["id"] == str(public.public_id)
    assert api.get(f"/api/venues/{public.pk}/").status_code == 404
    nearby = api.get("/api/venues/nearby/", {"lat": AUSTIN[0], "lon": AUSTIN[1]}).json()
    assert [venue["id"] for venue in nearby] == [str(public.public_id)]
    features = api.get("/api/map/", {"bbox": "-97.8,30.2,-97.7,30.3", "zoom": 16}).json()["features"]
    assert [(feature["id"], feature["properties"]["url"]) for feature in features] == [
        (str(public.public_id), f"/v/{public.public_id}/")
    ]
    fresh = report(api, (AUSTIN[0] + 0.01, AUSTIN[1]), seed=13)
    assert fresh.json()["venue_id"] is None  # a venue not on the map is not named, not even to its reporter


def test_the_migration_coarsens_existing_venues_and_gives_them_public_ids(db):
    migration = importlib.import_module("compliance.migrations.0012_privacy_venue_public_id_and_points")
    texas = Jurisdiction.objects.get(code="TX")
    truck_stop = VenueType.objects.get(slug="truck_stop")
    made = [
        Venue.objects.create(
            venue_type=truck_stop,
            latitude=lat,
            longitude=lon,
            jurisdiction=texas,
            tile_key=geo.tile_key(lat, lon),
            current_status="missing",
        )
        for lat, lon in (AUSTIN, HOUSTON)
    ]
    VenueCluster.objects.rebuild()
    old_ids = {venue.public_id for venue in made}
    migration.give_venues_public_ids_and_coarse_points(django_apps, None)
    for venue, (lat, lon) in zip(made, (AUSTIN, HOUSTON), strict=True):
        venue.refresh_from_db()
        assert (venue.latitude, venue.longitude) == (round(lat, 4), round(lon, 4))
        assert venue.tile_key == geo.tile_key(venue.latitude, venue.longitude)
    assert {venue.public_id for venue in made}.isdisjoint(old_ids)
    assert len({venue.public_id for venue in made}) == 2
    # The clusters' sums were counted again from the coarsened points: a one-venue cell shows no finer digit.
    for cluster in VenueCluster.objects.filter(venues=1):
        assert (round(cluster.latitude_sum, 4), round(cluster.longitude_sum, 4)) == (
            cluster.latitude_sum,
            cluster.longitude_sum,
        )
    assert VenueCluster.objects.filter(venue_type_key=0, level=12).count() == 2
