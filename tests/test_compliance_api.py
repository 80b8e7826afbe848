"""/api/compliance/ and /api/map/: figures from stored venue status, cached with an ETag, bounded map answers."""

from __future__ import annotations

import datetime
import json
import re
import uuid

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance import demo, geo, maps, observations, scoreboard
from compliance.models import Jurisdiction, Observation, Venue, VenueCluster, VenueType
from tests.test_observations import AUSTIN, at, plain_jpeg, post


def approved_venue(code: str, venue_type: str, status: str, lat: float, lon: float, days_ago: int = 10) -> Venue:
    """A public venue with one approved observation, made as the moderation path makes it."""
    venue = Venue.objects.create(
        venue_type=VenueType.objects.get(slug=venue_type),
        name=f"{venue_type} {lat:.4f}",
        latitude=lat,
        longitude=lon,
        jurisdiction=Jurisdiction.objects.get(code=code),
        tile_key=geo.tile_key(lat, lon),
    )
    add_observation(venue, status, days_ago)
    return venue


def add_observation(venue: Venue, status: str, days_ago: int, review_status: str = "approved", **fields) -> Observation:
    """A report of the venue, reviewed as given (approved by default), and the venue's status brought up to date."""
    observation = Observation.objects.create(
        venue=venue,
        sign_status=status,
        observed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        captured_latitude=fields.pop("captured_latitude", venue.latitude),
        captured_longitude=fields.pop("captured_longitude", venue.longitude),
        location_source="device",
        review_status=review_status,
        receipt=uuid.uuid4().hex,
        published_at=timezone.now() if review_status == "approved" else None,
        **fields,
    )
    venue.refresh_current_status()
    return observation


@pytest.fixture
def texas_bus_stations(db):
    """12 Texas bus stations (covered without condition): 9 posted, 2 deficient, 1 missing."""
    statuses = ["posted"] * 9 + ["deficient"] * 2 + ["missing"]
    venues = [
        approved_venue("TX", "bus_station", status, AUSTIN[0] + 0.01 * n, AUSTIN[1])
        for n, status in enumerate(statuses)
    ]
    scoreboard.invalidate()
    return venues


def test_compliance_for_every_jurisdiction_with_hand_computed_texas(api, texas_bus_stations):
    body = api.get("/api/compliance/").json()
    assert len(body["jurisdictions"]) == 56
    texas = body["jurisdictions"]["TX"]
    assert texas["verdict"] == "compliance"
    overall = texas["overall"]
    assert (overall["posted"], overall["deficient"], overall["missing"], overall["n"]) == (9, 2, 1, 12)
    assert overall["rate"] == pytest.approx(0.75)
    # Wilson 95% for 9/12: centre (9 + 1.9208) / 15.8415 = 0.6894, half-width 0.2369 → 0.4677 … 0.9111
    assert overall["low"] == pytest.approx(0.4677, abs=5e-4)
    assert overall["high"] == pytest.approx(0.9111, abs=5e-4)
    assert body["jurisdictions"]["CA"]["verdict"] == "insufficient_data"
    assert body["jurisdictions"]["WA"]["verdict"] == "no_mandate"


def test_jurisdiction_detail_carries_the_same_compliance(api, texas_bus_stations):
    everything = api.get("/api/compliance/").json()["jurisdictions"]["TX"]
    detail = api.get("/api/jurisdictions/TX/").json()["compliance"]
    assert detail == everything


def test_map_table_and_api_agree(api, client, texas_bus_stations):
    texas = api.get("/api/compliance/").json()["jurisdictions"]["TX"]
    html = client.get("/").content.decode()
    config = json.loads(re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html).group(1))
    assert config["jurisdictions"]["TX"] == texas
    row = re.search(r'<tr data-code="TX">(.*?)</tr>', html, re.S).group(1)
    assert "75%" in row and "47–91%" in row and ">12<" in row


def test_conditional_get_answers_304_without_a_query(api, texas_bus_stations):
    first = api.get("/api/compliance/")
    etag = first["ETag"]
    with CaptureQueriesContext(connection) as queries:
        again = api.get("/api/compliance/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        warm = api.get("/api/compliance/")
    assert warm.status_code == 200 and len(queries) == 0


def test_a_moderation_that_changes_a_status_refreshes_the_figures(api, moderator, texas_bus_stations):
    etag = api.get("/api/compliance/")["ETag"]
    body = post(
        api, plain_jpeg(), **at((AUSTIN[0] + 0.5, AUSTIN[1])), sign_status="missing", venue_type="bus_station"
    ).json()
    observation = Observation.objects.get(public_id=body["id"])
    with pytest.MonkeyPatch.context() as patch:
        # on_commit callbacks run at the end of the test transaction; run them now.
        patch.setattr("django.db.transaction.on_commit", lambda callback, *a, **k: callback())
        observations.moderate(observation=observation, moderator=moderator, action="approve")
    fresh = api.get("/api/compliance/", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert fresh.json()["jurisdictions"]["TX"]["overall"]["missing"] == 2


def test_clusters_follow_moderation(api, moderator):
    body = post(api, plain_jpeg(), **at(AUSTIN), sign_status="posted").json()
    observation = Observation.objects.get(public_id=body["id"])
    assert not VenueCluster.objects.exists()
    observations.moderate(observation=observation, moderator=moderator, action="approve")
    rows = VenueCluster.objects.filter(venue_type_key=0, status="posted")
    assert rows.count() == 5 and all(row.venues == 1 for row in rows)
    later = post(api, plain_jpeg(2), **at(AUSTIN), sign_status="missing", observed_on=str(timezone.localdate())).json()
    observations.moderate(
        observation=Observation.objects.get(public_id=later["id"]), moderator=moderator, action="approve"
    )
    assert not VenueCluster.objects.filter(status="posted", venues__gt=0).exists()
    assert VenueCluster.objects.filter(status="missing", venue_type_key=0).count() == 5
    rebuilt_before = sorted(VenueCluster.objects.filter(venues__gt=0).values_list("level", "cell", "status", "venues"))
    VenueCluster.objects.rebuild()
    assert sorted(VenueCluster.objects.values_list("level", "cell", "status", "venues")) == rebuilt_before


def test_map_low_zoom_answers_clusters_with_counts_by_status(api, texas_bus_stations):
    body = api.get("/api/map/", {"bbox": "-125,24,-66,50", "zoom": 4}).json()
    assert body["type"] == "FeatureCollection" and body["mode"] == "clusters"
    assert sum(feature["properties"]["venues"] for feature in body["features"]) == 12
    assert sum(feature["properties"]["missing"] for feature in body["features"]) == 1


def test_map_high_zoom_answers_venues_with_their_own_point(api, texas_bus_stations):
    body = api.get("/api/map/", {"bbox": "-97.80,30.20,-97.70,30.30", "zoom": 14}).json()
    assert body["mode"] == "venues"
    names = {feature["properties"]["name"] for feature in body["features"]}
    assert len(names) == len(body["features"]) > 0
    feature = body["features"][0]
    venue = Venue.objects.get(public_id=feature["id"])
    assert feature["properties"]["url"] == f"/v/{venue.public_id}/"
    assert feature["geometry"]["coordinates"] == [round(venue.longitude, 6), round(venue.latitude, 6)]
    assert set(feature["properties"]) >= {"venue_type", "status", "observed_on", "thumbnail", "url"}
    assert "captured_latitude" not in json.dumps(body)


def test_map_filters_by_status_and_venue_type(api, texas_bus_stations):
    approved_venue("TX", "hotel_motel", "posted", AUSTIN[0], AUSTIN[1] + 0.02)
    box = {"bbox": "-98.5,29.5,-97,31.5", "zoom": 14}
    missing = api.get("/api/map/", {**box, "status": "missing"}).json()["features"]
    assert [f["properties"]["status"] for f in missing] == ["missing"]
    hotels = api.get("/api/map/", {**box, "venue_type": "hotel_motel"}).json()["features"]
    assert [f["properties"]["venue_type"] for f in hotels] == ["hotel_motel"]
    clustered = api.get("/api/map/", {"bbox": "-125,24,-66,50", "zoom": 4, "venue_type": "hotel_motel"}).json()
    assert sum(f["properties"]["venues"] for f in clustered["features"]) == 1


def test_pending_reports_are_not_on_the_map(api):
    post(api, plain_jpeg(), **at(AUSTIN))
    assert api.get("/api/map/", {"bbox": "-98,30,-97,31", "zoom": 14}).json()["features"] == []
    assert api.get("/api/map/", {"bbox": "-125,24,-66,50", "zoom": 4}).json()["features"] == []


def test_dense_viewport_stays_within_the_cap(api, monkeypatch, texas_bus_stations):
    monkeypatch.setattr(maps, "MAX_VENUES", 5)
    body = api.get("/api/map/", {"bbox": "-98.5,29.5,-97,31.5", "zoom": 14}).json()
    assert body["mode"] == "clusters"
    assert 0 < len(body["features"]) <= maps.MAX_CLUSTERS


@pytest.mark.parametrize(
    "query",
    [
        {"bbox": "1,2,3", "zoom": 4},
        {"bbox": "a,b,c,d", "zoom": 4},
        {"bbox": "-125,50,-66,24", "zoom": 4},
        {"bbox": "-125,24,-66,nan", "zoom": 4},
        {"bbox": "-125,24,-66,50", "zoom": 99},
        {"bbox": "-125,24,-66,50", "zoom": 4, "status": "lost"},
        {"bbox": "-125,24,-66,50", "zoom": 4, "venue_type": "spaceport"},
        {"zoom": 4},
    ],
)
def test_bad_map_queries_are_json_400(api, query):
    response = api.get("/api/map/", query)
    assert response.status_code == 400
    assert response.json()["code"]


def test_whole_world_at_high_zoom_is_answered_within_bounds(api, texas_bus_stations):
    response = api.get("/api/map/", {"bbox": "-180,-85,180,85", "zoom": 16})
    assert response.status_code == 200
    assert len(response.json()["features"]) <= maps.MAX_CLUSTERS


def test_demo_data_is_labelled_and_clearable(db, capsys):
    call_command("load_demo_data", "--venues", "120", "--per-venue", "2", "--seed", "3")
    assert "120 venues" in capsys.readouterr().out
    assert Venue.objects.filter(is_demo=False).count() == 0
    assert Observation.objects.filter(is_demo=True).count() >= 120
    assert scoreboard.current().data["demo_data"] is True
    assert VenueCluster.objects.filter(venue_type_key=0, level=4).exists()
    assert demo.clear() == 120
    assert not Venue.objects.exists() and not VenueCluster.objects.exists()


def test_trend_counts_each_venue_once_per_quarter(db, texas_bus_stations):
    texas = Jurisdiction.objects.get(code="TX")
    quarters = scoreboard.trend(texas)
    assert len(quarters) == 8
    current = quarters[-1].score.overall
    assert current is not None and current.n + quarters[-2].score.overall.n == 12


def test_state_and_venue_pages_show_figures_and_history(client, texas_bus_stations):
    html = client.get("/j/TX/").content.decode()
    assert "75%" in html and "n = 12" in html and "Trend by quarter" in html
    venue = texas_bus_stations[-1]
    page = client.get(f"/v/{venue.public_id}/").content.decode()
    assert "Missing" in page and venue.name in page
    assert client.get("/v/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert client.get(f"/v/{venue.pk}/").status_code == 404  # the database id is not an address


def test_map_and_open311_answers_are_named_by_an_etag_that_an_approval_changes(
    api, texas_bus_stations, django_capture_on_commit_callbacks
):
    for url in ("/api/map/?bbox=-98,30,-97,31&zoom=14", "/open311/v2/requests.json"):
        first = api.get(url)
        assert first.status_code == 200 and first["ETag"]
        assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        with django_capture_on_commit_callbacks(execute=True):
            add_observation(texas_bus_stations[0], "missing", 0)
            transaction.on_commit(scoreboard.invalidate)
        again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200 and again["ETag"] != first["ETag"]
