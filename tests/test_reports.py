"""AG compliance reports: the page and PDF (public), the CSV and GeoJSON exports (private), and what none may show."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from compliance import geo, observations, reports, roles
from compliance.models import AGOfficeAccount, Jurisdiction, Observation, PostingLaw, Venue, VenueType
from tests.test_compliance_api import approved_venue
from tests.test_observations import AUSTIN, at, plain_jpeg, post

DALLAS = (32.7767, -96.7970)
VOLUNTEER = "volunteer-jane-7431"
FORMULA_NAME = '=HYPERLINK("http://x","y")'
HOTLINE = "1-888-373-7888"


def photographed_venue(
    api, moderator, code: str, venue_type: str, status: str, point, *, seed: int, approve: bool = True, **fields
) -> Observation:
    """A venue reported with a real photo taken about 40 m from it (inside the match radius, so the report joins it:
    a report may name only a venue already on the map), then (by default) approved."""
    venue = Venue.objects.create(
        venue_type=VenueType.objects.get(slug=venue_type),
        name=f"{venue_type} {seed}",
        latitude=point[0],
        longitude=point[1],
        jurisdiction=Jurisdiction.objects.get(code=code),
        tile_key=geo.tile_key(*point),
    )
    capture = (point[0] + 0.00031, point[1] + 0.00023)
    response = post(api, plain_jpeg(seed), **at(capture), venue_type=venue_type, sign_status=status, **fields)
    assert response.status_code == 201, response.json()
    observation = Observation.objects.get(public_id=response.json()["id"])
    assert observation.venue == venue
    if approve:
        observations.moderate(observation=observation, moderator=moderator, action="approve")
    return observation


@pytest.fixture
def volunteer_api(api, django_user_model, monkeypatch):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    # The fixtures below send more reports than a throttle test elsewhere may have left as the class's rate.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    api.force_authenticate(django_user_model.objects.create_user(VOLUNTEER))
    return api


@pytest.fixture
def texas(volunteer_api, moderator):
    """12 covered Texas bus stations (9 posted, 2 deficient, 1 missing; 3 with photos), an uncovered truck stop named
    like a spreadsheet formula, and a pending report that must not show anywhere."""
    photographed = [
        photographed_venue(volunteer_api, moderator, "TX", "bus_station", "posted", DALLAS, seed=1),
        photographed_venue(
            volunteer_api,
            moderator,
            "TX",
            "bus_station",
            "deficient",
            (DALLAS[0] + 0.05, DALLAS[1]),
            seed=2,
            deficiencies=["too_small", "missing_text_line"],
        ),
        photographed_venue(
            volunteer_api, moderator, "TX", "bus_station", "missing", (DALLAS[0] + 0.10, DALLAS[1]), seed=3
        ),
    ]
    for n, status in enumerate(["posted"] * 8 + ["deficient"]):
        approved_venue("TX", "bus_station", status, AUSTIN[0] + 0.01 * n, AUSTIN[1])
    formula = approved_venue("TX", "truck_stop", "missing", AUSTIN[0] - 0.05, AUSTIN[1])
    Venue.objects.filter(pk=formula.pk).update(name=FORMULA_NAME)
    pending = photographed_venue(
        volunteer_api, moderator, "TX", "bus_station", "missing", (DALLAS[0] - 0.1, DALLAS[1]), seed=4, approve=False
    )
    return {"photographed": photographed, "pending": pending}


def pdf_text(content: bytes) -> str:
    """The PDF's text with whitespace collapsed (line breaks fall wherever the layout wraps)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def pdf_images(content: bytes) -> int:
    """How many distinct images the PDF embeds (WeasyPrint lists all of them in every page's resources)."""
    return len({image.name for page in PdfReader(io.BytesIO(content)).pages for image in page.images})


def csv_table(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def user_with_role(django_user_model, name: str, *, ag_office_of: str | None = None, advocate: bool = False):
    user = django_user_model.objects.create_user(name)
    if ag_office_of:
        AGOfficeAccount.objects.create(user=user, jurisdiction=Jurisdiction.objects.get(code=ag_office_of))
    if advocate:
        user.groups.add(roles.advocates_group())
    return user


# --- the page and the PDF ---


def test_texas_page_shows_law_figures_trend_venues_and_evidence(client, texas):
    response = client.get("/reports/TX/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tex. Gov&#x27;t Code § 402.0351" in html
    assert "75%" in html and "n = 12" in html and "47–91%" in html
    assert "Trend by quarter" in html
    assert HOTLINE in html
    assert html.count('class="status-chip sign-missing"') >= 2  # the missing bus station and the truck stop
    assert html.count("/thumb.jpg") == 3  # the three approved photos, not the pending one
    assert "Too small" in html and "Missing the text line 233733" in html
    assert "/reports/TX.pdf" in html
    assert "/reports/TX.csv" not in html  # the exports are not offered to the public


def test_texas_pdf_has_the_citation_figures_hotline_and_embedded_photos(client, texas):
    response = client.get("/reports/TX.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="signwatch-TX-')
    assert response["Content-Disposition"].endswith('.pdf"')
    text = pdf_text(response.content)
    assert "Tex. Gov't Code § 402.0351" in text
    assert "75%" in text and "n = 12" in text and "47–91%" in text
    assert HOTLINE in text and "233733" in text
    assert "Evidence" in text and "3 of 3 venues" in text
    assert pdf_images(response.content) == 3
    assert len(PdfReader(io.BytesIO(response.content)).pages) >= 3  # cover and figures, venues, evidence pages


@pytest.mark.parametrize(
    ("code", "citation", "verdict_text"),
    [
        ("CA", "Cal. Civ. Code § 52.6", "Insufficient data: 0 venues"),
        ("FL", "Fla. Stat. § 787.29", "Insufficient data: 2 venues"),
        ("WA", "RCW 43.280.110", "No law here requires the sign, so there is no compliance rate"),
    ],
)
def test_pdf_of_other_states_states_their_law_and_verdict(client, db, code, citation, verdict_text):
    approved_venue("FL", "airport", "posted", 28.4312, -81.3081)
    approved_venue("FL", "airport", "missing", 25.7959, -80.2870)
    approved_venue("WA", "truck_stop", "posted", 47.6062, -122.3321)
    response = client.get(f"/reports/{code}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert citation in text
    assert verdict_text in text
    assert HOTLINE in text
    assert "unverified" not in text.lower()


def test_washington_report_gives_the_voluntary_rate_with_its_interval(client, db):
    for n in range(3):
        approved_venue("WA", "truck_stop", "posted" if n else "missing", 47.6 + 0.01 * n, -122.33)
    html = client.get("/reports/WA/").content.decode()
    assert "posted anyway at 67% of 3 venues" in html
    assert "n = 3 venues" in html and "21–94%" in html


def test_territory_without_a_known_law_says_so(client, db):
    unknown = "We found no posting statute, or could not confirm one was enacted."
    assert unknown in client.get("/reports/GU/").content.decode()
    text = pdf_text(client.get("/reports/GU.pdf").content)
    assert unknown in text and HOTLINE in text


def test_low_confidence_law_is_labelled_unverified_and_not_stated_as_fact(client, db):
    html = client.get("/reports/IA/").content.decode()
    assert "Citation (unverified)" in html
    assert "do not cite it as fact" in html
    assert "Unverified:" in html
    text = pdf_text(client.get("/reports/IA.pdf").content)
    assert "Citation (unverified)" in text and "Unverified:" in text


def test_a_verified_law_becomes_unverified_when_its_confidence_drops(client, db):
    PostingLaw.objects.filter(jurisdiction__code="TX").update(confidence="low")
    html = client.get("/reports/TX/").content.decode()
    assert "Citation (unverified)" in html


def test_venue_table_is_bounded_and_points_to_the_csv(client, texas, monkeypatch):
    monkeypatch.setattr(reports, "MAX_VENUE_ROWS", 5)
    report = reports.build(Jurisdiction.objects.get(code="TX"))
    assert (len(report.venues), report.venues_total, report.venues_not_listed) == (5, 13, 8)
    assert [venue.status for venue in report.venues[:2]] == ["missing", "missing"]  # what an office acts on first
    html = client.get("/reports/TX/").content.decode()
    assert "and 8 more — full list in the CSV export" in html


def test_evidence_is_sampled_but_counts_stay_complete(client, texas, monkeypatch):
    monkeypatch.setattr(reports, "MAX_EVIDENCE", 2)
    report = reports.build(Jurisdiction.objects.get(code="TX"))
    assert [item.status for item in report.evidence] == ["missing", "deficient"]  # one of each status in turn
    assert report.evidence_total == 3
    assert report.compliance["overall"]["n"] == 12
    html = client.get("/reports/TX/").content.decode()
    assert "2 of 3 venues observed since" in html and "The counts above are complete" in html


def test_take_in_turn_gives_small_groups_their_share():
    assert reports.take_in_turn([[1, 2, 3, 4], [10], [20, 21]], 5) == [1, 10, 20, 2, 21]
    assert reports.take_in_turn([[1], [], [2]], 24) == [1, 2]


def test_unknown_jurisdiction_is_404_everywhere(client, django_user_model):
    client.force_login(user_with_role(django_user_model, "advocate", advocate=True))
    for suffix in ("/", ".pdf", ".csv", ".geojson"):
        assert client.get(f"/reports/ZZ{suffix}").status_code == 404


# --- what no output may carry ---


def test_no_reporter_identity_in_any_output(client, django_user_model, texas):
    client.force_login(user_with_role(django_user_model, "advocate", advocate=True))
    observation = texas["photographed"][0]
    secrets = [
        VOLUNTEER,
        observation.receipt,
        texas["pending"].receipt,
        str(observation.public_id),
        f"{observation.captured_latitude:.4f}",
        f"{observation.captured_longitude:.4f}",
    ]
    outputs = {
        "html": client.get("/reports/TX/").content.decode(),
        "pdf": pdf_text(client.get("/reports/TX.pdf").content),
        "csv": b"".join(client.get("/reports/TX.csv").streaming_content).decode("utf-8-sig"),
        "geojson": client.get("/reports/TX.geojson").content.decode(),
    }
    for name, output in outputs.items():
        for secret in secrets:
            assert secret not in output, f"{secret!r} found in the {name}"
    # The venue's own point is what the exports give.
    assert f"{observation.venue.latitude:.4f}" in outputs["csv"]


# --- the exports ---


def test_csv_has_one_row_per_public_venue_and_defuses_formulas(client, django_user_model, texas):
    client.force_login(user_with_role(django_user_model, "advocate", advocate=True))
    response = client.get("/reports/TX.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="signwatch-TX-')
    header, *rows = csv_table(response)
    assert header == list(reports.EXPORT_FIELDS)
    assert len(rows) == 13  # the pending report's venue is not public
    by_name = {row[2]: dict(zip(header, row, strict=True)) for row in rows}
    formula = by_name["'" + FORMULA_NAME]
    assert formula["name"].startswith("'")
    assert formula["venue_type"] == "truck_stop" and formula["status"] == "missing"
    assert float(formula["longitude"]) < 0  # numbers stay numbers: a negative longitude is not quoted
    deficient = next(row for row in by_name.values() if row["status"] == "deficient" and row["deficiencies"])
    assert deficient["deficiencies"] == "missing_text_line;too_small"
    assert {row["demo"] for row in by_name.values()} == {"false"}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Joe's Truck Stop", "Joe's Truck Stop"),
        (-97.7431, "-97.7431"),
        (True, "true"),
        (None, ""),
    ],
)
def test_safe_cell(value, cell):
    assert reports.safe_cell(value) == cell


def test_geojson_is_a_feature_collection_of_the_venue_points(client, django_user_model, texas):
    client.force_login(user_with_role(django_user_model, "texas-ag", ag_office_of="TX"))
    response = client.get("/reports/TX.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Disposition"].startswith('attachment; filename="signwatch-TX-')
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 13
    for feature in body["features"]:
        venue = Venue.objects.get(public_id=feature["id"])
        assert feature["geometry"] == {
            "type": "Point",
            "coordinates": [round(venue.longitude, 6), round(venue.latitude, 6)],
        }
        assert feature["properties"]["status"] == venue.current_status
    names = {feature["properties"]["name"] for feature in body["features"]}
    assert FORMULA_NAME in names  # JSON is not a spreadsheet: the name is given as it is


# --- who may see what ---


@pytest.mark.parametrize("suffix", [".csv", ".geojson"])
def test_exports_are_404_for_the_public_and_for_another_states_ag_office(client, django_user_model, texas, suffix):
    assert client.get(f"/reports/TX{suffix}").status_code == 404
    client.force_login(user_with_role(django_user_model, "california-ag", ag_office_of="CA"))
    assert client.get(f"/reports/TX{suffix}").status_code == 404
    client.force_login(user_with_role(django_user_model, "someone"))
    assert client.get(f"/reports/TX{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", [".csv", ".geojson"])
def test_exports_are_for_the_states_ag_office_and_advocates(client, django_user_model, texas, suffix):
    client.force_login(user_with_role(django_user_model, "texas-ag", ag_office_of="TX"))
    assert client.get(f"/reports/TX{suffix}").status_code == 200
    assert client.get(f"/reports/tx{suffix}").status_code == 200
    client.force_login(user_with_role(django_user_model, "advocate", advocate=True))
    assert client.get(f"/reports/TX{suffix}").status_code == 200


def test_page_and_pdf_are_public_and_offer_exports_to_those_allowed(client, django_user_model, texas):
    assert client.get("/reports/TX/").status_code == 200
    assert client.get("/reports/TX.pdf").status_code == 200
    client.force_login(user_with_role(django_user_model, "texas-ag", ag_office_of="TX"))
    html = client.get("/reports/TX/").content.decode()
    assert "/reports/TX.csv" in html and "/reports/TX.geojson" in html


# --- the PDF fetches nothing over the network ---


def test_pdf_fetcher_reads_approved_photos_from_storage_and_refuses_the_rest(texas):
    fetcher = reports.LocalURLFetcher(default_storage)
    approved = texas["photographed"][0].photos.get()
    response = fetcher.fetch(f"http://testserver/photos/{approved.public_id}/thumb.jpg")
    assert response.read().startswith(b"\xff\xd8")
    assert fetcher.fetch("http://testserver/static/css/signwatch.css").read().startswith(b"/*")
    pending = texas["pending"].photos.get()
    for url in (
        f"http://testserver/photos/{pending.public_id}.jpg",
        "http://example.org/tracker.png",
        "http://testserver/api/compliance/",
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_photo_intake_still_works_after_a_pdf_is_drawn(client, api, db):
    # Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES; compliance.pdf turns it back off.
    assert client.get("/reports/TX.pdf").status_code == 200
    assert post(api, plain_jpeg(9), **at(AUSTIN)).status_code == 201
