"""Open311 GeoReport v2: approved reports as read-only service requests, in the specification's shape, with nothing
more than the public venue page shows."""

from __future__ import annotations

import datetime
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone
from georeport import GeoReport
from rest_framework.test import APIClient

from compliance.api import open311
from compliance.models import Observation, Venue
from tests.test_compliance_api import add_observation, approved_venue
from tests.test_observations import AUSTIN, at, plain_jpeg, post

# Every field GeoReport v2 defines for a service request, and nothing else.
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
DALLAS = (32.7767, -96.7970)


def requests_json(client: Client, **params) -> list[dict]:
    response = client.get("/open311/v2/requests.json", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture
def texas(db):
    """A truck stop fixed after a missing sign, a bar still deficient, a hotel posted, in Texas; a bus station in
    Dallas still missing; plus a pending and a rejected report, and demo data, none of which may show."""
    fixed = approved_venue("TX", "truck_stop", "missing", *AUSTIN, days_ago=40)
    add_observation(fixed, "posted", days_ago=5, captured_latitude=AUSTIN[0] + 0.0003)
    bar = approved_venue("TX", "bar_liquor_licensee", "deficient", AUSTIN[0] + 0.01, AUSTIN[1], days_ago=20)
    Observation.objects.filter(venue=bar).update(
        deficiencies=["too_small", "missing_language"], languages_seen=["English"]
    )
    approved_venue("TX", "hotel_motel", "posted", AUSTIN[0] + 0.02, AUSTIN[1], days_ago=30)
    dallas = approved_venue("TX", "bus_station", "missing", *DALLAS, days_ago=2)
    add_observation(dallas, "posted", days_ago=1, review_status="pending")
    add_observation(dallas, "posted", days_ago=1, review_status="rejected")
    demo = approved_venue("TX", "airport", "missing", AUSTIN[0] + 0.03, AUSTIN[1], days_ago=3)
    Venue.objects.filter(pk=demo.pk).update(is_demo=True)
    Observation.objects.filter(venue=demo).update(is_demo=True)
    return {"fixed": fixed, "bar": bar, "dallas": dallas}


def test_services_are_the_three_sign_outcomes(client):
    services = client.get("/open311/v2/services.json").json()
    assert [service["service_code"] for service in services] == [
        "hotline_sign_missing",
        "hotline_sign_deficient",
        "hotline_sign_posted",
    ]
    for service in services:
        assert set(service) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
        assert service["metadata"] is False and service["type"] == "batch"


def test_discovery_points_at_the_v2_endpoint(client):
    body = client.get("/open311/v2/discovery.json").json()
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_requests_are_the_approved_real_reports_newest_first(client, texas):
    rows = requests_json(client)
    assert [(row["service_code"], row["status"]) for row in rows] == [
        ("hotline_sign_missing", "open"),  # Dallas bus station, 2 days ago; its later reports are not approved
        ("hotline_sign_posted", "closed"),  # the truck stop, fixed 5 days ago
        ("hotline_sign_deficient", "open"),  # the bar
        ("hotline_sign_posted", "closed"),  # the hotel
        ("hotline_sign_missing", "closed"),  # the truck stop 40 days ago: closed by the later report
    ]
    for row in rows:
        assert set(row) == REQUEST_FIELDS
        venue = Venue.objects.get(public_id=row["address_id"])
        assert (row["lat"], row["long"]) == (venue.latitude, venue.longitude)  # the venue's point, not the phone's
        assert datetime.date.fromisoformat(row["requested_datetime"])  # a day, no time of day
        assert "T" not in row["requested_datetime"] + row["updated_datetime"]
    closed_missing = rows[-1]
    fixed_on = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    assert closed_missing["status_notes"] == f"A later report found the sign posted ({fixed_on})."
    assert closed_missing["updated_datetime"] == fixed_on
    bar = rows[2]
    assert bar["description"] == (
        "Hotline sign deficient at this bar or liquor licensee in Texas. "
        "What is wrong: too small, missing a required language. Languages on the sign: English."
    )
    assert bar["address"] == f"{texas['bar'].name}, Texas"
    assert bar["agency_responsible"]  # the law's enforcing agency, or the AG office


def test_filters_by_status_service_jurisdiction_and_day(client, texas):
    assert {row["status"] for row in requests_json(client, status="open")} == {"open"}
    assert len(requests_json(client, status="open")) == 2
    assert len(requests_json(client, status="closed")) == 3
    assert len(requests_json(client, status="open,closed")) == 5
    missing = requests_json(client, service_code="hotline_sign_missing")
    assert {row["service_code"] for row in missing} == {"hotline_sign_missing"} and len(missing) == 2
    assert len(requests_json(client, service_code="hotline_sign_missing,hotline_sign_posted")) == 4
    assert len(requests_json(client, jurisdiction_id="tx")) == 5
    assert requests_json(client, jurisdiction_id="CA") == []
    today = timezone.localdate()
    last_week = requests_json(client, start_date=(today - datetime.timedelta(days=7)).isoformat())
    assert len(last_week) == 2
    older = requests_json(client, end_date=f"{(today - datetime.timedelta(days=7)).isoformat()}T23:59:59-05:00")
    assert len(older) == 3


def test_default_window_is_the_last_90_days(client, texas):
    approved_venue("TX", "restaurant", "missing", AUSTIN[0] + 0.04, AUSTIN[1], days_ago=120)
    assert len(requests_json(client)) == 5
    start = (timezone.localdate() - datetime.timedelta(days=365)).isoformat()
    assert len(requests_json(client, start_date=start)) == 6


def test_paging_reaches_50000_requests_deep(client, texas):
    assert client.get("/open311/v2/requests.json", {"page": 50, "page_size": 1000}).json() == []
    assert client.get("/open311/v2/requests.json", {"page": 50000, "page_size": 1}).status_code == 200
    deep = client.get("/open311/v2/requests.json", {"page": 50001, "page_size": 1})
    assert deep.status_code == 400 and "start_date" in deep.json()[0]["description"]


def test_no_link_to_a_page_past_the_paging_limit(client, texas, monkeypatch):
    monkeypatch.setattr(open311, "MAX_PAGED_ROWS", 4)
    second = client.get("/open311/v2/requests.json", {"page": 2, "page_size": 2, "status": "open,closed"})
    assert len(second.json()) == 2 and "Link" not in second  # a third page exists, but would be refused
    assert client.get("/open311/v2/requests.json", {"page": 3, "page_size": 2}).status_code == 400


def test_pages_link_to_the_next(client, texas):
    first = client.get("/open311/v2/requests.json", {"page_size": 2, "status": "open,closed"})
    assert len(first.json()) == 2
    assert first["Link"] == (
        '<http://testserver/open311/v2/requests.json?page_size=2&status=open%2Cclosed&page=2>; rel="next"'
    )
    third = client.get("/open311/v2/requests.json", {"page_size": 2, "page": 3, "status": "open,closed"})
    assert len(third.json()) == 1 and "Link" not in third
    ids = [row["service_request_id"] for page in (1, 2, 3) for row in requests_json(client, page_size=2, page=page)]
    assert len(ids) == len(set(ids)) == 5


def test_one_request_by_id_and_no_oracle_for_unpublished_ones(client, texas):
    observation = Observation.objects.filter(venue=texas["bar"]).get()
    (row,) = client.get(f"/open311/v2/requests/{observation.public_id}.json").json()
    assert row["service_code"] == "hotline_sign_deficient"
    other = Observation.objects.exclude(pk=observation.pk).filter(review_status="approved", is_demo=False).first()
    listed = requests_json(client, service_request_id=f"{observation.public_id}, {other.public_id}")
    assert len(listed) == 2
    assert observation.public_id.hex in {row["service_request_id"].replace("-", "") for row in listed}
    pending = Observation.objects.get(review_status="pending")
    demo = Observation.objects.get(is_demo=True)
    for hidden in (pending, demo, Observation.objects.get(review_status="rejected")):
        response = client.get(f"/open311/v2/requests/{hidden.public_id}.json")
        assert response.status_code == 404
        assert response.json() == [{"code": 404, "description": "There is no public service request with this id."}]
        assert requests_json(client, service_request_id=str(hidden.public_id)) == []


def test_a_real_upload_shows_only_once_approved_with_its_cleaned_photo(
    client, db, media_root, moderator_api, django_capture_on_commit_callbacks
):
    answer = post(APIClient(), plain_jpeg(), **at(AUSTIN), notes="Sign hidden behind the ice machine")
    assert answer.status_code == 201
    assert requests_json(client) == []
    with django_capture_on_commit_callbacks(execute=True):  # the approval renews the answers kept (on commit)
        moderator_api.post(f"/api/moderation/observations/{answer.json()['id']}/", {"action": "approve"})
    (row,) = requests_json(client)
    assert row["media_url"].startswith("http://testserver/photos/") and row["media_url"].endswith(".jpg")
    assert client.get(row["media_url"].removeprefix("http://testserver")).status_code == 200
    assert "ice machine" not in str(row)  # volunteers' notes are for moderators, never public


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"status": "pending"}, 400),
        ({"service_code": "pothole"}, 400),
        ({"jurisdiction_id": "Texas"}, 400),
        ({"jurisdiction_id": "ZZ"}, 400),
        ({"start_date": "yesterday"}, 400),
        ({"end_date": "2026-13-45"}, 400),
        ({"start_date": "0001-01-01"}, 400),
        ({"page": "0"}, 400),
        ({"page": "-1"}, 400),
        ({"page": "9" * 5000}, 400),
        ({"page_size": "1001"}, 400),
        ({"page": "51", "page_size": "1000"}, 400),  # past the first 50,000: narrow the dates instead
        ({"page": "26", "page_size": "2000"}, 400),
        ({"page": "²"}, 400),
        ({"service_request_id": "not-an-id"}, 400),
    ],
)
def test_bad_parameters_get_georeport_errors(client, db, query, status):
    response = client.get("/open311/v2/requests.json", query)
    assert response.status_code == status
    (error,) = response.json()
    assert error["code"] == status and error["description"]


def test_other_formats_methods_and_addresses_get_georeport_errors(client, db):
    assert client.get("/open311/v2/requests.csv").status_code == 404
    assert client.get("/open311/v2/requests/42.json").json()[0]["code"] == 404
    missing = client.get("/open311/v3/")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("text/xml")
    assert ElementTree.fromstring(missing.content).findtext("error/code") == "404"
    assert client.get("/open311/v2/services/pothole.json").json()[0]["code"] == 404
    refused = Client(enforce_csrf_checks=True).post("/open311/v2/requests.json", {"service_code": "x"})
    assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD"
    assert refused.json()[0]["description"].startswith("This endpoint only reads.")


def test_spanish_reader_gets_spanish_descriptions(db, texas):
    rows = requests_json(Client(headers={"accept-language": "es"}), jurisdiction_id="TX", status="open")
    assert rows[0]["service_name"] == "Falta el letrero de la línea directa"
    expected = "No hay letrero de la línea directa en este lugar (estación de autobuses) de Texas."
    assert rows[0]["description"] == expected


def test_xml_carries_what_json_carries(client, texas):
    """XML is the specification's default format: same requests, same fields, same values as text."""
    as_json = requests_json(client, status="open,closed")
    response = client.get("/open311/v2/requests.xml", {"status": "open,closed"})
    assert response.status_code == 200 and response["Content-Type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert len(requests) == len(as_json) == 5
    for element, row in zip(requests, as_json, strict=True):
        assert {child.tag for child in element} == REQUEST_FIELDS
        for field, value in row.items():
            expected = "" if value is None else str(value)
            assert (element.findtext(field) or "") == expected, field


def test_xml_errors_services_and_discovery(client, db):
    services = ElementTree.fromstring(client.get("/open311/v2/services.xml").content)
    assert [s.findtext("service_code") for s in services.findall("service")] == list(open311.STATUS_BY_SERVICE)
    assert services.find("service/metadata").text == "false"
    discovery = ElementTree.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert discovery.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2/"
    assert [f.text for f in discovery.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    definition = ElementTree.fromstring(client.get("/open311/v2/services/hotline_sign_missing.xml").content)
    assert definition.tag == "service_definition" and definition.findtext("service_code") == "hotline_sign_missing"
    refused = client.get("/open311/v2/requests.xml", {"status": "pending"})
    assert refused.status_code == 400
    assert ElementTree.fromstring(refused.content).findtext("error/code") == "400"


def test_xml_drops_characters_xml_cannot_carry(client, texas):
    Venue.objects.filter(pk=texas["bar"].pk).update(name="Bar\x07\x1b Nine")  # PostgreSQL refuses NUL itself
    root = ElementTree.fromstring(client.get("/open311/v2/requests.xml").content)  # would raise on a raw \x1b
    assert "Bar Nine, Texas" in [element.findtext("address") for element in root.findall("request")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("output_format", ["xml", "json"])
def test_a_third_party_georeport_client_reads_both_formats(live_server, committed_registry, output_format):
    """The `georeport` package from PyPI, over real HTTP: what a civic-tech tool written against the spec sees."""
    venue = approved_venue("TX", "truck_stop", "missing", *AUSTIN, days_ago=2)
    observation = venue.observations.get()
    reader = GeoReport(f"{live_server.url}/open311/v2", jurisdiction="TX", output_format=output_format)
    services = reader.get_service_list()
    assert [service["service_code"] for service in services] == list(open311.STATUS_BY_SERVICE)
    found = reader.get_service_requests(status="open")
    # xmltodict gives a lone <request> as a dict, several as a list: one report here, so one either way.
    row = found if isinstance(found, dict) else found[0]
    assert row["service_request_id"] == str(observation.public_id)
    assert row["service_code"] == "hotline_sign_missing" and row["status"] == "open"
    assert float(row["lat"]) == venue.latitude
    one = reader.get_service_request(str(observation.public_id))
    one = one[0] if isinstance(one, list) else one
    assert one["service_request_id"] == str(observation.public_id)
