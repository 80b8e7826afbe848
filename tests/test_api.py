"""The read API: jurisdictions, laws, venue types, locate, schema, and JSON errors."""

import datetime

import pytest


def test_jurisdictions_lists_all_56(api):
    response = api.get("/api/jurisdictions/")
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()]
    assert len(codes) == 56
    assert {"CA", "TX", "DC", "PR", "VI", "GU", "AS", "MP"} <= set(codes)


def test_territories_without_research_show_unknown(api):
    rows = {row["code"]: row for row in api.get("/api/jurisdictions/").json()}
    assert rows["GU"]["law_status"] == "unknown"
    assert rows["GU"]["kind"] == "territory"
    assert rows["DC"]["kind"] == "district"


def test_california_detail_cites_civil_code_52_6_with_venues_and_sources(api):
    body = api.get("/api/jurisdictions/CA/").json()
    law = body["law"]
    assert law["citation"] == "Cal. Civ. Code § 52.6"
    assert law["status"] == "mandatory"
    assert law["verified"] is True
    slugs = {venue["slug"] for venue in law["covered_venue_types"]}
    assert {"truck_stop", "airport", "emergency_room_hospital"} & slugs
    assert any("oag.ca.gov" in source["url"] for source in law["sources"])
    assert body["ag_office"]["state_code"] == "CA"


def test_jurisdiction_code_is_case_insensitive(api):
    assert api.get("/api/jurisdictions/tx/").json()["code"] == "TX"


def test_unknown_jurisdiction_is_a_json_404(api):
    response = api.get("/api/jurisdictions/ZZ/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_low_confidence_law_is_marked_unverified(api):
    laws = api.get("/api/laws/", {"confidence": "low"}).json()
    assert laws
    assert all(law["verified"] is False for law in laws)


def test_laws_filter_by_status_and_venue_type(api):
    mandatory = api.get("/api/laws/", {"status": "mandatory"}).json()
    assert mandatory and all(law["status"] == "mandatory" for law in mandatory)
    truck_stops = api.get("/api/laws/", {"venue_type": "truck_stop"}).json()
    assert truck_stops
    assert all(any(v["slug"] == "truck_stop" for v in law["covered_venue_types"]) for law in truck_stops)


def test_law_detail_matches_list_entry(api):
    first = api.get("/api/laws/", {"jurisdiction": "TX"}).json()[0]
    detail = api.get(f"/api/laws/{first['id']}/").json()
    assert detail == first


def test_bad_filter_value_is_a_json_400(api):
    response = api.get("/api/laws/", {"status": "sometimes"})
    assert response.status_code == 400
    assert response.json()["field"] == "status"


def test_venue_types_have_slugs_and_names(api):
    venue_types = api.get("/api/venue-types/").json()
    by_slug = {v["slug"]: v for v in venue_types}
    assert by_slug["truck_stop"]["name"]
    assert "nuisance_property" in by_slug


def test_locate_answers_jurisdiction_and_covered_venue_types(api):
    body = api.get("/api/locate/", {"lat": 30.2672, "lon": -97.7431}).json()  # Austin, TX
    assert body["jurisdiction"] == {"code": "TX", "name": "Texas"}
    assert body["distance_m"] == 0
    assert body["law_status"] == "mandatory"
    assert body["covered_venue_types"]


@pytest.mark.parametrize(("lat", "lon"), [(0, 0), (40.0, -40.0), (42.2506, -82.9660)])
def test_locate_outside_is_422(api, lat, lon):
    response = api.get("/api/locate/", {"lat": lat, "lon": lon})
    assert response.status_code == 422
    assert response.json()["code"] == "outside_supported_area"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"lat": "91", "lon": "0"}, "lat"),
        ({"lat": "nan", "lon": "-97"}, "lat"),
        ({"lat": "30"}, "lon"),
        ({"lat": "abc", "lon": "1"}, "lat"),
        ({"lat": "30", "lon": "inf"}, "lon"),
    ],
)
def test_locate_bad_coordinates_are_400_naming_the_field(api, query, field):
    response = api.get("/api/locate/", query)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert body["code"] and body["detail"]


def test_unknown_api_address_is_json_404(api):
    response = api.get("/api/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_write_methods_are_refused_as_json(api):
    response = api.post("/api/jurisdictions/", {})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_schema_describes_every_endpoint(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/jurisdictions/",
        "/api/jurisdictions/{code}/",
        "/api/venue-types/",
        "/api/laws/",
        "/api/laws/{id}/",
        "/api/locate/",
    ]:
        assert path in paths


def test_docs_page_loads_its_scripts_locally(api):
    html = api.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html and "unpkg" not in html


def test_schema_generates_without_warnings(db):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_jurisdiction_list_query_count_does_not_grow_with_rows(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/jurisdictions/").json()) == 56


def test_law_answer_carries_citations_and_every_sign_the_law_requires(api):
    florida = api.get("/api/laws/", {"jurisdiction": "FL"}).json()
    law = (florida["results"] if isinstance(florida, dict) else florida)[0]
    assert law["citation"] == "Fla. Stat. § 787.29; Fla. Stat. § 509.096(1)(c)"
    assert law["citations"] == ["Fla. Stat. § 787.29", "Fla. Stat. § 509.096(1)(c)"]
    general, hotel = law["signs"]
    assert general["venue_types"] == [] and general["min_font_pt"] == 16
    assert hotel["venue_types"] == ["hotel_motel"]
    assert (hotel["min_width_in"], hotel["min_height_in"], hotel["min_font_pt"]) == (11, 15, 32)
    assert hotel["hotline_number"] == "1-855-FLA-SAFE" and hotel["audience"] == "employees"
    alabama = api.get("/api/laws/", {"jurisdiction": "AL"}).json()
    covered = {
        item["slug"]: item
        for item in (alabama["results"] if isinstance(alabama, dict) else alabama)[0]["covered_venue_types"]
    }
    assert covered["massage_establishment"]["confirmed"] is False


WRITES_NAMING_A_JURISDICTION = [
    ("/api/letters/", {"kind": "enforcement"}),
    (
        "/api/campaigns/",
        {"ask": "Share the hotline.", "ends_on": (datetime.date.today() + datetime.timedelta(days=30))},
    ),
]


@pytest.mark.parametrize(("path", "body"), WRITES_NAMING_A_JURISDICTION)
@pytest.mark.parametrize(
    ("jurisdiction", "code"),
    [("ZZ", "unknown_jurisdiction"), ("TEX", "max_length"), ("T\x00", "null_characters_not_allowed"), ("", "blank")],
)
def test_letters_and_campaigns_refuse_a_jurisdiction_alike(advocate, path, body, jurisdiction, code):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(advocate)
    response = client.post(path, {**body, "jurisdiction": jurisdiction}, format="json")
    assert response.status_code == 400
    assert (response.json()["field"], response.json()["code"]) == ("jurisdiction", code)


@pytest.mark.parametrize(("path", "body"), WRITES_NAMING_A_JURISDICTION)
def test_letters_and_campaigns_read_a_jurisdiction_code_in_either_case(advocate, path, body):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(advocate)
    response = client.post(path, {**body, "jurisdiction": " tx"}, format="json")
    assert response.status_code == 201
    assert response.json()["jurisdiction"] == "TX"
