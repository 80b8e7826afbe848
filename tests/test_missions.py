"""Coverage of the venue frame, sampling missions (draw, nearby, could-not-survey, progress) and the estimate."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from compliance import geo, letters, missions, sampling, scoreboard
from compliance.models import Jurisdiction, Sample, SampledVenue, Venue, VenueType
from tests.factories import frame_venue, report
from tests.osm_extracts import AUSTIN, OKLAHOMA_CITY


@pytest.fixture
def texas_frame(db) -> dict[str, list[Venue]]:
    """Texas: 30 bus stations and 20 rest areas (covered without condition), 6 gas stations (covered under a
    condition), each a kilometre or so further north of Austin; and 3 Oklahoma bus stations."""
    frame = {
        "bus_station": [frame_venue("TX", "bus_station", AUSTIN[0] + 0.01 * n, AUSTIN[1]) for n in range(30)],
        "rest_area": [frame_venue("TX", "rest_area", AUSTIN[0] + 0.01 * n, AUSTIN[1] + 0.05) for n in range(20)],
        "gas_station": [frame_venue("TX", "gas_station", AUSTIN[0], AUSTIN[1] - 0.01 * n) for n in range(6)],
        "oklahoma": [frame_venue("OK", "bus_station", OKLAHOMA_CITY[0] + 0.01 * n, OKLAHOMA_CITY[1]) for n in range(3)],
    }
    return frame


def test_coverage_counts_the_frame_and_its_freshly_visited_venues_per_covered_type(api, texas_frame):
    buses, rests = texas_frame["bus_station"], texas_frame["rest_area"]
    for venue in buses[:10]:
        report(venue, "posted", days_ago=30)
    report(buses[10], "missing", days_ago=800)  # older than the 24-month window: not visited for coverage
    closed = frame_venue("TX", "bus_station", 31.0, -97.0, closed_on=datetime.date(2026, 1, 1))
    report(closed, "posted", days_ago=5)  # closed: out of the frame
    volunteers_own = Venue.objects.create(
        venue_type=VenueType.objects.get(slug="bus_station"),
        latitude=31.1,
        longitude=-97.1,
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        tile_key=geo.tile_key(31.1, -97.1),
    )
    report(volunteers_own, "posted", days_ago=5)  # not in the frame until merged
    for venue in rests[:5]:
        report(venue, "deficient", days_ago=100)

    coverage = {row["venue_type"]: row for row in api.get("/api/jurisdictions/TX/").json()["coverage"]}

    assert coverage["bus_station"] | {} == {
        "venue_type": "bus_station",
        "venue_type_name": "Bus station",
        "frame": 30,
        "observed": 10,
        "share": 0.3333,
        "condition": "",
    }
    assert (coverage["rest_area"]["frame"], coverage["rest_area"]["observed"]) == (20, 5)
    assert coverage["gas_station"]["frame"] == 6 and coverage["gas_station"]["condition"]
    assert coverage["airport"] == coverage["airport"] | {"frame": 0, "observed": 0, "share": None}
    assert "truck_stop" not in coverage  # Texas's law does not cover truck stops


def draw(code: str, *extra: str) -> str:
    out = io.StringIO()
    call_command("draw_sample", code, *extra, stdout=out)
    return out.getvalue()


def drawn_ids(sample: Sample) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {}
    for row in SampledVenue.objects.filter(sample=sample).order_by("draw_order").select_related("stratum__venue_type"):
        ids.setdefault(row.stratum.venue_type.slug, []).append(row.venue_id)
    return ids


def test_draw_sample_is_reproducible_from_its_seed_and_supersedes_the_previous_sample(texas_frame):
    output = draw("tx", "--seed", "42")
    first = Sample.objects.get(superseded_at__isnull=True)
    assert "seed 42" in output and first.seed == 42
    # Strata: the types covered without condition that the frame holds; gas stations (conditional) are not one.
    sizes = {s.venue_type.slug: (s.frame_size, s.sample_size) for s in first.strata.all()}
    assert sizes == {
        "bus_station": (30, sampling.stratum_size(30)),
        "rest_area": (20, sampling.stratum_size(20)),
    }
    assert first.frame_as_of == timezone.localdate()  # no import recorded: as of today

    draw("TX", "--seed", "42")
    second = Sample.objects.get(superseded_at__isnull=True)
    first.refresh_from_db()
    assert first.superseded_at is not None and second.pk != first.pk
    assert drawn_ids(second) == drawn_ids(first)
    assert not SampledVenue.objects.filter(sample=first, is_current=True).exists()
    draw("TX", "--seed", "43")
    assert drawn_ids(Sample.objects.get(superseded_at__isnull=True)) != drawn_ids(first)


def test_draw_sample_refuses_a_jurisdiction_without_a_frame_or_a_mandate(db):
    with pytest.raises(CommandError, match="import it first"):
        draw("TX")
    with pytest.raises(CommandError, match="unknown jurisdiction"):
        draw("ZZ")
    with pytest.raises(CommandError, match="no mandatory law"):
        draw("PR")  # territories have no law row yet


def test_missions_nearby_lists_sampled_venues_needing_a_visit_nearest_first(api, texas_frame):
    missions.draw_sample(jurisdiction=Jurisdiction.objects.get(code="TX"), seed=7, margin_of_error=0.3)
    sampled = list(SampledVenue.objects.filter(is_current=True).select_related("venue"))
    visited, stale, closed, unreachable = (row.venue for row in sampled[:4])
    report(visited, "posted", days_ago=10)
    report(stale, "missing", days_ago=900)  # older than the window: back on the list
    closed.closed_on = timezone.localdate()
    closed.save()
    answer = api.post(
        "/api/missions/could-not-survey/",
        {"venue_id": str(unreachable.public_id), "reason": "no_access"},
        format="json",
    )
    assert answer.status_code == 201

    response = api.get("/api/missions/nearby/", {"lat": AUSTIN[0], "lon": AUSTIN[1]})

    assert response.status_code == 200
    body = response.json()
    assert body["attribution"] == "© OpenStreetMap contributors" and body["licence"] == "ODbL 1.0"
    listed = {item["venue_id"]: item for item in body["missions"]}
    expected = {str(row.venue.public_id) for row in sampled} - {
        str(visited.public_id),
        str(closed.public_id),
        str(unreachable.public_id),
    }
    assert set(listed) == expected or (len(listed) == missions.DEFAULT_LIMIT and set(listed) < expected)
    assert listed[str(stale.public_id)]["reason"] == "revisit" and listed[str(stale.public_id)]["last_observed_on"]
    distances = [item["distance_m"] for item in body["missions"]]
    assert distances == sorted(distances)
    first = body["missions"][0]
    venue = Venue.objects.get(public_id=first["venue_id"])
    assert first["distance_m"] == pytest.approx(geo.distance_m(*AUSTIN, venue.latitude, venue.longitude), abs=0.1)
    assert first["directions_url"].startswith("https://www.openstreetmap.org/directions?to=")
    assert all(item["jurisdiction"] == "TX" for item in body["missions"])  # Oklahoma has no sample


@pytest.mark.parametrize("query", [{}, {"lat": "x", "lon": "1"}, {"lat": "91", "lon": "0"}, {"lat": "nan", "lon": "0"}])
def test_missions_nearby_refuses_a_bad_point_with_a_json_400(api, query):
    response = api.get("/api/missions/nearby/", query)
    assert response.status_code == 400 and "code" in response.json()


def test_could_not_survey_takes_only_a_venue_of_a_current_sample(api, texas_frame):
    outside = texas_frame["oklahoma"][0]
    response = api.post(
        "/api/missions/could-not-survey/", {"venue_id": str(outside.public_id), "reason": "closed"}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "venue_id"
    missions.draw_sample(jurisdiction=Jurisdiction.objects.get(code="TX"), seed=1)
    sampled = SampledVenue.objects.filter(is_current=True).first()
    bad_reason = api.post("/api/missions/could-not-survey/", {"venue_id": str(sampled.venue.public_id), "reason": "x"})
    assert bad_reason.status_code == 400 and bad_reason.json()["field"] == "reason"


def test_progress_non_response_and_the_design_based_estimate_reach_the_api_and_letters(api, texas_frame, advocate):
    texas = Jurisdiction.objects.get(code="TX")
    sample = missions.draw_sample(jurisdiction=texas, seed=2026, margin_of_error=0.3)
    by_type = drawn_ids(sample)
    buses, rests = by_type["bus_station"], by_type["rest_area"]
    for pk, status in zip(buses[:6], ["posted"] * 4 + ["missing"] * 2, strict=True):
        report(Venue.objects.get(pk=pk), status, days_ago=3)
    for pk, status in zip(rests[:5], ["posted", "deficient", "deficient", "missing", "posted"], strict=True):
        report(Venue.objects.get(pk=pk), status, days_ago=3)
    missions.record_could_not_survey(
        venue=Venue.objects.get(pk=buses[6]), reason="closed", attempted_on=timezone.localdate()
    )
    scoreboard.invalidate()

    body = api.get("/api/missions/TX/").json()

    strata = {row["venue_type"]: row for row in body["strata"]}
    assert strata["bus_station"] | {} == strata["bus_station"] | {
        "frame": 30,
        "sampled": len(buses),
        "completed": 6,
        "posted": 4,
        "could_not_survey": 1,
        "remaining": len(buses) - 7,
    }
    assert (strata["rest_area"]["completed"], strata["rest_area"]["posted"]) == (5, 2)
    assert body["seed"] == 2026 and body["attribution"] == "© OpenStreetMap contributors"
    expected = sampling.stratified_estimate(
        [
            sampling.StratumVisits("bus_station", 30, len(buses), 6, 4, 1),
            sampling.StratumVisits("rest_area", 20, len(rests), 5, 2, 0),
        ]
    )
    assert body["estimate"]["estimate"] == round(expected.estimate, 4)
    assert body["estimate"]["low"] == round(expected.low, 4) and body["estimate"]["response_rate"] == round(11 / 12, 4)

    figures = api.get("/api/compliance/").json()["jurisdictions"]["TX"]
    assert figures["quote"] == "design_estimate"
    assert figures["design_estimate"]["estimate"] == round(expected.estimate, 4)
    assert figures["design_estimate"]["seed"] == 2026
    assert api.get("/api/compliance/").json()["jurisdictions"]["OK"]["design_estimate"] is None

    letter = letters.compose(jurisdiction=texas, kind="enforcement", author=advocate, report_url="https://x/r/TX/")
    assert f"{expected.estimate * 100:.0f}%" in letter.body and "random seed, 2026" in letter.body
    assert letter.figures["design_estimate"]["n"] == 11


def test_a_sample_without_enough_visits_has_no_estimate_and_letters_quote_the_usual_figure(api, texas_frame):
    missions.draw_sample(jurisdiction=Jurisdiction.objects.get(code="TX"), seed=5)
    assert api.get("/api/missions/TX/").json()["estimate"] is None
    figures = api.get("/api/compliance/").json()["jurisdictions"]["TX"]
    assert figures["design_estimate"] is None and figures["quote"] == "compliance"
    assert api.get("/api/missions/OK/").json()["code"] == "no_sample"


def test_the_state_page_and_the_report_show_coverage_progress_the_estimate_and_osm_attribution(client, texas_frame):
    texas = Jurisdiction.objects.get(code="TX")
    sample = missions.draw_sample(jurisdiction=texas, seed=99, margin_of_error=0.3)
    for pk in drawn_ids(sample)["bus_station"][:5] + drawn_ids(sample)["rest_area"][:5]:
        report(Venue.objects.get(pk=pk), "posted" if pk % 2 else "missing", days_ago=2)
    scoreboard.invalidate()
    estimate = missions.summary(sample)["estimate"]
    assert estimate is not None

    for url in ("/j/TX/", "/reports/TX/"):
        page = client.get(url).content.decode()
        assert "© OpenStreetMap contributors" in page and "ODbL" in page
        assert "Covered venues known to OpenStreetMap" in page
        assert "<td>30</td><td>5</td><td>17%</td>" in page  # bus stations: 5 of 30 visited
        assert "with seed 99" in page and "Progress per venue type" in page
        assert f"{estimate['estimate'] * 100:.0f}%" in page and "estimated from a random sample" in page
        assert "How the sample and the estimate work" in page


def test_the_survey_page_opens_and_names_openstreetmap(client, db):
    page = client.get("/survey/").content.decode()
    assert "Survey near me" in page and "© OpenStreetMap contributors" in page and "js/survey.js" in page


@pytest.mark.parametrize("venue_id", [0, -1, 2**64, "abc", None])
def test_could_not_survey_refuses_impossible_venue_ids_with_a_json_400(api, db, venue_id):
    response = api.post("/api/missions/could-not-survey/", {"venue_id": venue_id, "reason": "closed"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "venue_id"
