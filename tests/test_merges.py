"""Merging volunteers' venues into frame venues: sure pairs merge, doubtful ones go to staff, merges undo."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from compliance import geo, merges, observations
from compliance.models import Jurisdiction, Venue, VenueMerge, VenueType
from tests.factories import frame_venue, report
from tests.osm_extracts import AUSTIN

METRE = 1 / 111_320  # a metre of latitude, in degrees


def volunteer_venue(venue_type: str, lat: float, lon: float) -> Venue:
    return Venue.objects.create(
        venue_type=VenueType.objects.get(slug=venue_type),
        name="Made by a volunteer",
        latitude=lat,
        longitude=lon,
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        tile_key=geo.tile_key(lat, lon),
    )


def run_merges() -> str:
    out = io.StringIO()
    call_command("merge_venues", stdout=out)
    return out.getvalue()


def test_a_sure_pair_merges_with_its_observations_and_the_merge_undoes(db):
    frame = frame_venue("TX", "bus_station", *AUSTIN)
    own = volunteer_venue("bus_station", AUSTIN[0] + 20 * METRE, AUSTIN[1])
    older = report(own, "missing", days_ago=40)
    newer = report(own, "posted", days_ago=4)
    other_type = volunteer_venue("hotel_motel", AUSTIN[0] + 10 * METRE, AUSTIN[1])
    report(other_type, "posted", days_ago=4)

    assert run_merges().startswith("1 merged, 0 proposed to staff, 1 unmatched")

    merge = VenueMerge.objects.get()
    assert (merge.frame_venue, merge.volunteer_venue, merge.status) == (frame, own, "merged")
    assert sorted(merge.moved_observations) == sorted([older.pk, newer.pk])
    assert merge.distance_m == pytest.approx(20, abs=0.5)
    frame.refresh_from_db()
    own.refresh_from_db()
    assert set(frame.observations.values_list("pk", flat=True)) == {older.pk, newer.pk}
    assert (frame.current_status, frame.status_observed_on) == ("posted", newer.observed_on)
    assert own.merged_into == frame and own.current_status == "" and not own.observations.exists()
    other_type.refresh_from_db()
    assert other_type.merged_into is None  # a hotel is not a bus station, however close
    # The next report made where the volunteer's venue was joins the frame venue, not the merged one.
    at_own_spot = observations.ReportedPoint(own.latitude, own.longitude, "device", 5.0)
    assert observations.match_venue(own.venue_type, at_own_spot) == frame

    merges.undo(merge)
    frame.refresh_from_db()
    own.refresh_from_db()
    assert not frame.observations.exists() and frame.current_status == ""
    assert own.merged_into is None and own.current_status == "posted" and own.observations.count() == 2
    assert VenueMerge.objects.get().status == "undone"
    assert run_merges().startswith("0 merged, 0 proposed")  # an undone merge is not redone by itself


def test_doubtful_pairs_go_to_staff_who_merge_or_decline_them_on_the_admin_screen(client, db):
    crowded = volunteer_venue("bus_station", *AUSTIN)
    report(crowded, "missing", days_ago=3)
    first = frame_venue("TX", "bus_station", AUSTIN[0] + 15 * METRE, AUSTIN[1])
    second = frame_venue("TX", "bus_station", AUSTIN[0] - 40 * METRE, AUSTIN[1])  # two candidates: which one?
    far_own = volunteer_venue("rest_area", AUSTIN[0] + 0.1, AUSTIN[1])
    frame_venue("TX", "rest_area", AUSTIN[0] + 0.1 + 120 * METRE, AUSTIN[1])  # beyond the match radius, within doubt

    assert run_merges().startswith("0 merged, 3 proposed to staff")
    assert crowded.merges_out.count() == 2 and far_own.merges_out.count() == 1

    staff = User.objects.create_superuser("staff", password="pw-for-tests-only")
    client.force_login(staff)
    assert client.get("/admin/compliance/venuemerge/").status_code == 200
    pick = VenueMerge.objects.get(volunteer_venue=crowded, frame_venue=first)
    response = client.post(
        "/admin/compliance/venuemerge/", {"action": "merge_pairs", "_selected_action": [pick.pk]}, follow=True
    )
    assert response.status_code == 200
    pick.refresh_from_db()
    assert pick.status == "merged" and pick.decided_by == staff
    first.refresh_from_db()
    assert first.current_status == "missing"
    rest = VenueMerge.objects.get(volunteer_venue=crowded, frame_venue=second)
    client.post("/admin/compliance/venuemerge/", {"action": "merge_pairs", "_selected_action": [rest.pk]})
    rest.refresh_from_db()
    assert rest.status == "proposed"  # the venue is already merged into the first: refused, not moved twice
    far = VenueMerge.objects.get(volunteer_venue=far_own)
    client.post("/admin/compliance/venuemerge/", {"action": "decline_pairs", "_selected_action": [far.pk]})
    far.refresh_from_db()
    assert far.status == "declined"
    assert "0 proposed" in run_merges()  # declined pairs are not proposed again


def test_staff_draw_a_sample_on_the_staff_page_and_others_cannot(client, db):
    frame_venue("TX", "bus_station", *AUSTIN)
    assert client.get("/missions/draw/").status_code == 302  # to the sign-in page
    client.force_login(User.objects.create_superuser("staff", password="pw-for-tests-only"))
    texas = Jurisdiction.objects.get(code="TX")
    response = client.post("/missions/draw/", {"jurisdiction": texas.pk, "seed": "77", "margin_of_error": "0.1"})
    assert response.status_code == 302 and response["Location"] == "/j/TX/"
    assert texas.samples.get().seed == 77
    oklahoma = Jurisdiction.objects.get(code="OK")
    refused = client.post("/missions/draw/", {"jurisdiction": oklahoma.pk, "margin_of_error": "0.1"})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()  # no frame there: said, not drawn
    assert not oklahoma.samples.exists()
