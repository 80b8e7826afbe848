"""Disputed venues: two approved reports within 30 days that disagree leave the headline until settled."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from compliance import disputes, moderation, scoreboard
from compliance.models import Venue
from tests.test_compliance_api import add_observation, approved_venue
from tests.test_observations import AUSTIN


@pytest.fixture
def texas_bus_stations(db) -> list[Venue]:
    """12 Texas bus stations, all posted: a compliance rate of 12/12."""
    venues = [approved_venue("TX", "bus_station", "posted", AUSTIN[0] + 0.01 * n, AUSTIN[1], 40) for n in range(12)]
    scoreboard.invalidate()
    return venues


def texas(api) -> dict:
    return api.get("/api/compliance/").json()["jurisdictions"]["TX"]


def test_a_disputed_venue_leaves_the_headline_and_comes_back_once_settled(
    api, texas_bus_stations, moderator, django_capture_on_commit_callbacks
):
    venue = texas_bus_stations[0]
    assert texas(api)["overall"]["n"] == 12
    add_observation(venue, "missing", 20)  # 20 days after a report that found it posted
    venue.refresh_from_db()
    assert venue.disputed and venue.current_status == "missing"
    scoreboard.invalidate()
    figures = texas(api)
    assert (figures["overall"]["n"], figures["overall"]["missing"], figures["disputed_venues"]) == (11, 0, 1)
    assert api.get(f"/api/venues/{venue.public_id}/").json()["disputed"] is True
    page = api.get(f"/v/{venue.public_id}/").content.decode()
    assert 'id="venue-disputed"' in page

    moderator_api = api.__class__()
    moderator_api.force_authenticate(moderator)
    refused = moderator_api.post(f"/api/moderation/venues/{venue.public_id}/settle/", {"reason": ""}, format="json")
    assert refused.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        settled = moderator_api.post(
            f"/api/moderation/venues/{venue.public_id}/settle/",
            {"reason": "Owner confirms it was taken down"},
            format="json",
        )
    assert settled.status_code == 200
    assert settled.json() == {"venue_id": str(venue.public_id), "disputed": False, "current_status": "missing"}
    figures = texas(api)
    assert (figures["overall"]["n"], figures["overall"]["missing"], figures["disputed_venues"]) == (12, 1, 0)
    assert api.get(f"/api/venues/{venue.public_id}/").json()["disputed"] is False
    again = moderator_api.post(f"/api/moderation/venues/{venue.public_id}/settle/", {"reason": "again"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "not_disputed")


def test_a_later_visit_ends_the_dispute(api, texas_bus_stations):
    venue = texas_bus_stations[0]
    add_observation(venue, "missing", 20)
    add_observation(venue, "missing", 5)
    venue.refresh_from_db()
    assert not venue.disputed
    scoreboard.invalidate()
    assert (texas(api)["overall"]["n"], texas(api)["overall"]["missing"]) == (12, 1)


def test_the_map_marks_a_disputed_venue(api, texas_bus_stations):
    venue = texas_bus_stations[0]
    add_observation(venue, "missing", 20)
    lat, lon = venue.latitude, venue.longitude
    bbox = f"{lon - 0.005},{lat - 0.005},{lon + 0.005},{lat + 0.005}"
    features = api.get(f"/api/map/?bbox={bbox}&zoom=16").json()["features"]
    assert [(f["id"], f["properties"]["disputed"]) for f in features] == [(str(venue.public_id), True)]


def test_settling_needs_a_moderator(api, texas_bus_stations):
    venue = texas_bus_stations[0]
    add_observation(venue, "missing", 20)
    assert (
        api.post(f"/api/moderation/venues/{venue.public_id}/settle/", {"reason": "x"}, format="json").status_code == 403
    )


day = datetime.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("reports", "settled_through", "disputed"),
    [
        ([(2, 30, "missing"), (1, 0, "posted")], None, True),  # 30 days apart: inside the window
        ([(2, 31, "missing"), (1, 0, "posted")], None, False),  # 31 days: a change, not a dispute
        ([(2, 3, "posted"), (1, 0, "missing")], None, True),
        ([(2, 3, "deficient"), (1, 0, "posted")], None, False),  # deficient disputes nothing
        ([(2, 3, "missing"), (1, 0, "posted")], 2, False),  # settled through the latest report
        ([(3, 9, "posted"), (2, 3, "missing"), (1, 0, "posted")], 2, True),  # a newer report reopens it
        ([(1, 0, "posted")], None, False),
    ],
)
def test_dispute_rule(reports, settled_through, disputed):
    latest_first = [
        disputes.Report(pk, day + datetime.timedelta(days=offset), status) for pk, offset, status in reports
    ]
    assert disputes.is_disputed(latest_first, settled_through=settled_through) is disputed


def test_the_method_page_explains_disputes_and_counts_them(api, texas_bus_stations):
    add_observation(texas_bus_stations[0], "missing", 20)
    page = api.get("/method/").content.decode()
    assert "left out of the compliance figures until a later approved visit" in page
    assert "1 venue is disputed now." in page
    assert moderation.measured_accuracy().audited == 0


def test_a_moderator_settles_from_the_venue_page(client, texas_bus_stations, moderator, django_user_model):
    venue = texas_bus_stations[0]
    add_observation(venue, "missing", 20)
    assert 'id="settle-form"' not in client.get(f"/v/{venue.public_id}/").content.decode()  # not for the public
    client.force_login(django_user_model.objects.create_user("volunteer"))
    assert client.post(f"/v/{venue.public_id}/settle/", {"reason": "mine"}).status_code == 403

    client.force_login(moderator)
    assert 'id="settle-form"' in client.get(f"/v/{venue.public_id}/").content.decode()
    page = client.get("/moderate/").content.decode()
    assert f'href="/v/{venue.public_id}/"' in page
    blank = client.post(f"/v/{venue.public_id}/settle/", {"reason": "  "}, follow=True)
    assert "Say why the latest report stands." in blank.content.decode()
    venue.refresh_from_db()
    assert venue.disputed
    settled = client.post(f"/v/{venue.public_id}/settle/", {"reason": "Manager confirmed removal"}, follow=True)
    assert settled.redirect_chain == [(f"/v/{venue.public_id}/", 302)]
    venue.refresh_from_db()
    assert not venue.disputed
    assert venue.dispute_settlements.get().reason == "Manager confirmed removal"
    assert 'id="venue-disputed"' not in settled.content.decode()


def test_the_report_lists_a_disputed_venue_as_not_counted(client, texas_bus_stations, moderator):
    venue = texas_bus_stations[0]
    add_observation(venue, "missing", 20)
    assert "disputed, not counted" in client.get("/reports/TX/").content.decode()
    client.force_login(moderator)
    body = b"".join(client.get("/reports/TX.csv").streaming_content).decode("utf-8-sig")  # Excel's BOM
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {row["id"]: row["disputed"] for row in rows}[str(venue.public_id)] == "true"
    assert sorted(row["disputed"] for row in rows) == ["false"] * 11 + ["true"]
    features = client.get("/reports/TX.geojson").json()["features"]
    assert [f["id"] for f in features if f["properties"]["disputed"]] == [str(venue.public_id)]
