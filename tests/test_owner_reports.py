"""Venue owners report the sign posted (issue 15.7): the page and the API, moderation, the venue page's sentence, a
volunteer's confirming visit, the re-visit list, and every public figure left as it was."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from compliance import missions, outreach, owners, scoreboard
from compliance.models import (
    Jurisdiction,
    Letter,
    Observation,
    ReportContact,
    SampledVenue,
    Venue,
    VenueCluster,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests import images
from tests.conftest import stored_files
from tests.factories import frame_venue, owner_claim, report

AUSTIN = images.AUSTIN


def jpeg(seed: int = 1) -> bytes:
    return images.jpeg(images.photo_like(640, 480, seed=seed))


@pytest.fixture
def venue(db) -> Venue:
    """A Texas truck stop a volunteer found without the sign 40 days ago: public, on the map."""
    found = frame_venue("TX", "truck_stop", *AUSTIN, name="Lone Star Fuel")
    report(found, "missing", days_ago=40)
    return found


def page_post(client: Client, venue: Venue, photo: bytes | None, **fields):
    data = {"posted_on": timezone.localdate().isoformat(), **fields}
    if photo is not None:
        data["photo"] = SimpleUploadedFile("IMG_0001.jpg", photo, content_type="image/jpeg")
    return client.post(f"/v/{venue.public_id}/owner/", data)


def api_post(api, venue_id: str, *photos: bytes, **fields):
    data = {**fields, "photos": [SimpleUploadedFile(f"IMG_{n}.jpg", p) for n, p in enumerate(photos)]}
    return api.post(f"/api/venues/{venue_id}/owner-reports/", data, format="multipart")


def claims() -> list[Observation]:
    return list(Observation.objects.owner_claims())


# --- the owner's page and the API ---


def test_the_owner_page_records_a_report_marked_as_the_owners_at_the_venues_own_point(client, venue, media_root):
    page = client.get(f"/v/{venue.public_id}/owner/")
    assert page.status_code == 200
    assert 'name="photo"' in page.content.decode() and 'enctype="multipart/form-data"' in page.content.decode()

    response = page_post(client, venue, images.telltale_jpeg(), email="owner@example.org")

    assert response.status_code == 201
    (claim,) = claims()
    assert claim.venue == venue and claim.review_status == "pending" and claim.sign_status == "posted"
    assert claim.reported_by_owner and claim.submitter is None
    assert (claim.captured_latitude, claim.captured_longitude) == (venue.latitude, venue.longitude)
    assert claim.location_source == Observation.LocationSource.VENUE
    assert claim.observed_on == timezone.localdate()
    assert ReportContact.objects.get(observation=claim).email == "owner@example.org"
    assert f"/r/{claim.receipt}/" in response.content.decode()
    receipt = client.get(f"/r/{claim.receipt}/", headers={"accept-language": "es"}).content.decode()
    assert "Este es el informe del dueño de que el letrero está colocado." in receipt
    # The intake every report goes through: a clean JPEG and thumbnail, nothing of the phone's metadata.
    (photo,) = claim.photos.all()
    assert len(stored_files(media_root)) == 2
    with photo.image.open("rb") as stored:
        data = stored.read()
    assert b"Exif" not in data and all(text.encode() not in data for text in images.IDENTIFYING_TEXTS)
    assert "owner@example.org" not in client.get(f"/v/{venue.public_id}/").content.decode()


@pytest.mark.parametrize(
    ("photo", "fields", "message"),
    [
        (None, {}, "Add a photo of the sign where it is posted."),
        (images.pdf(), {}, "not a photo"),
        (images.truncated_jpeg(), {}, ""),
        (jpeg(), {"posted_on": "2999-01-01"}, "The date cannot be in the future."),
        (jpeg(), {"email": "not-an-address"}, "Enter a valid email address."),
    ],
    ids=["no-photo", "not-an-image", "truncated", "future-date", "bad-email"],
)
def test_the_owner_page_refuses_bad_input_with_a_400_and_writes_nothing(
    client, venue, media_root, photo, fields, message
):
    response = page_post(client, venue, photo, **fields)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert claims() == [] and stored_files(media_root) == []


def test_an_unknown_or_unpublished_venue_has_no_owner_page(client, db):
    unpublished = frame_venue("TX", "truck_stop", *AUSTIN)  # in the frame, never reported: no public page
    for public_id in (unpublished.public_id, "5b0c1c1e-0000-4000-8000-000000000000"):
        assert client.get(f"/v/{public_id}/owner/").status_code == 404
        assert client.post(f"/v/{public_id}/owner/", {"photo": SimpleUploadedFile("a.jpg", jpeg())}).status_code == 404
    assert claims() == []


def test_the_api_takes_an_owners_report_and_answers_with_its_receipt(api, venue):
    response = api_post(api, str(venue.public_id), jpeg(), posted_on=str(timezone.localdate()))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["review_status"] == "pending" and body["venue_id"] == str(venue.public_id)
    claim = Observation.objects.get(public_id=body["id"])
    assert claim.reported_by_owner and claim.receipt == body["receipt"]


@pytest.mark.parametrize(
    ("photos", "fields", "status", "code"),
    [
        ((), {}, 400, "required"),
        ((images.pdf(),), {}, 415, "unsupported_media_type"),
        ((images.truncated_jpeg(),), {}, 400, "corrupt_image"),
        ((jpeg(),), {"posted_on": "2999-01-01"}, 400, "future_date"),
        ((jpeg(),), {"posted_on": "yesterday"}, 400, "invalid"),
    ],
    ids=["no-photo", "not-an-image", "truncated", "future-date", "bad-date"],
)
def test_the_api_refuses_bad_input_with_a_json_4xx_and_writes_nothing(
    api, venue, media_root, photos, fields, status, code
):
    response = api_post(api, str(venue.public_id), *photos, **fields)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert claims() == [] and stored_files(media_root) == []


def test_the_api_answers_an_unknown_venue_with_a_json_404(api, db):
    unpublished = frame_venue("TX", "truck_stop", *AUSTIN)
    for venue_id in (str(unpublished.public_id), "5b0c1c1e-0000-4000-8000-000000000000"):
        response = api_post(api, venue_id, jpeg())
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert api.post("/api/venues/not-a-uuid/owner-reports/").status_code == 404
    assert claims() == []


def test_a_pending_or_unconfirmed_claim_blocks_a_second_one_until_a_volunteer_visits(api, client, venue, media_root):
    assert api_post(api, str(venue.public_id), jpeg(1)).status_code == 201
    files = stored_files(media_root)

    second = api_post(api, str(venue.public_id), jpeg(2))
    assert second.status_code == 409 and second.json()["code"] == "owner_claim_open"
    page = page_post(client, venue, jpeg(3))
    assert page.status_code == 409
    assert "already waiting for a volunteer" in page.content.decode()
    assert len(claims()) == 1 and stored_files(media_root) == files

    Observation.objects.owner_claims().update(review_status="approved")  # approved: still awaiting a visit
    assert api_post(api, str(venue.public_id), jpeg(4)).status_code == 409

    report(venue, "posted", days_ago=0)  # a volunteer's visit settles the claim: the owner may claim again later
    assert api_post(api, str(venue.public_id), jpeg(5)).status_code == 201


def test_owner_reports_share_the_volunteers_throttle_per_client_address(api, client, venue, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "submissions": "1/minute"}
    try:
        assert api_post(api, str(venue.public_id), jpeg(1)).status_code == 201
        limited = api_post(api, str(venue.public_id), jpeg(2))
        assert limited.status_code == 429 and limited.json()["code"] == "throttled"
        assert page_post(client, venue, jpeg(3)).status_code == 429
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert len(claims()) == 1


# --- moderation ---


def test_the_moderation_queue_marks_and_filters_owners_reports(api, moderator_api, moderator, client, venue):
    api_post(api, str(venue.public_id), jpeg(1))
    volunteer = frame_venue("TX", "bar_liquor_licensee", AUSTIN[0] + 0.05, AUSTIN[1])
    report(volunteer, "missing", days_ago=3)
    Observation.objects.filter(venue=volunteer).update(review_status="pending", published_at=None)

    queue = moderator_api.get("/api/moderation/queue/").json()
    assert {item["venue"]["id"]: item["reported_by_owner"] for item in queue} == {
        str(venue.public_id): True,
        str(volunteer.public_id): False,
    }
    (owners_only,) = moderator_api.get("/api/moderation/queue/", {"reporter": "owner"}).json()
    assert owners_only["reported_by_owner"] is True
    (volunteers_only,) = moderator_api.get("/api/moderation/queue/", {"reporter": "volunteer"}).json()
    assert volunteers_only["reported_by_owner"] is False
    assert moderator_api.get("/api/moderation/queue/", {"reporter": "someone"}).status_code == 400

    client.force_login(moderator)
    page = client.get("/moderate/").content.decode()
    assert 'id="item-owner"' in page and "Owner's report" in page and 'name="reporter"' in page


# --- nothing public moves ---


def public_state(client: Client, advocate_client: Client, venue: Venue, letter: Letter) -> dict:
    """Every public figure and surface an approved report could move, read afresh."""
    scoreboard.invalidate()
    venue.refresh_from_db()
    texas = Jurisdiction.objects.get(code="TX")
    return {
        "venue": (venue.current_status, venue.status_observed_on, venue.latest_photo_id, venue.disputed),
        "clusters": sorted(VenueCluster.objects.values_list("level", "cell", "venue_type_key", "status", "venues")),
        "scoreboard": json.dumps(scoreboard.current().data, sort_keys=True, default=str),
        "compliance_api": client.get("/api/compliance/").json(),
        "map_low": client.get("/api/map/", {"bbox": "-125,24,-66,50", "zoom": 4}).json(),
        "map_high": client.get("/api/map/", {"bbox": "-97.80,30.20,-97.70,30.30", "zoom": 15}).json(),
        # The venue's answer may name the owner's claim (the venue page's sentence); nothing else of it may change.
        "venue_api": {
            key: value
            for key, value in client.get(f"/api/venues/{venue.public_id}/").json().items()
            if key != "owner_claim"
        },
        "trend": [(q.label, q.score.overall) for q in scoreboard.trend(texas)],
        "letters": [(item.public_id, item.figures) for item in outreach.public_letters(texas)],
        "open311": client.get("/open311/v2/requests.json").json(),
        "open311_xml": client.get("/open311/v2/requests.xml").content,
        "feed": [line for line in client.get("/feeds/TX.atom").content.split(b"\n") if b"<updated>" not in line],
        "report_csv": b"".join(advocate_client.get("/reports/TX.csv").streaming_content),
        "report_geojson": advocate_client.get("/reports/TX.geojson").content,
        "history": [o.pk for o in venue.observations.approved()],
    }


def test_an_approved_owners_report_changes_no_public_figure(api, client, advocate, moderator_api, venue):
    for n, status in enumerate(["posted", "posted", "deficient"]):
        report(frame_venue("TX", "truck_stop", AUSTIN[0] + 0.01 * (n + 1), AUSTIN[1]), status, days_ago=20)
    letter = Letter.objects.create(
        jurisdiction=venue.jurisdiction,
        kind=Letter.Kind.ENFORCEMENT,
        author=advocate,
        subject="Hotline signs at Texas truck stops",
        body="text",
        outreach_status=Letter.Outreach.SENT,
        sent_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    WebhookEndpoint.objects.create(
        url="https://hooks.example.org/signwatch", secret="s" * 32, events=["report.approved"]
    )
    advocate_client = Client()
    advocate_client.force_login(advocate)
    before = public_state(client, advocate_client, venue, letter)

    body = api_post(api, str(venue.public_id), jpeg(), email="owner@example.org").json()
    claim = Observation.objects.get(public_id=body["id"])
    (photo,) = claim.photos.all()
    decided = moderator_api.post(f"/api/moderation/observations/{body['id']}/", {"action": "approve"}, format="json")

    assert decided.status_code == 200, decided.json()
    claim.refresh_from_db()
    assert claim.review_status == "approved"
    assert public_state(client, advocate_client, venue, letter) == before
    assert WebhookDelivery.objects.count() == 0  # an owner's claim is not a report to announce
    # The owner's photo stays with moderators; the venue page gives only the claim's sentence and date.
    assert client.get(f"/photos/{photo.public_id}.jpg").status_code == 404
    assert client.get(f"/photos/{photo.public_id}/thumb.jpg").status_code == 404
    venue_page = client.get(f"/v/{venue.public_id}/").content.decode()
    assert str(photo.public_id) not in venue_page
    assert "The owner reports the sign posted on" in venue_page
    assert client.get(f"/api/venues/{venue.public_id}/").json()["owner_claim"] == {
        "reported_on": claim.observed_on.isoformat(),
        "confirmed_on": None,
    }


def test_an_owners_claim_never_counts_toward_a_volunteers_trust(moderator_api, venue, django_user_model):
    from compliance import moderation

    volunteer = django_user_model.objects.create_user("volunteer")
    claim = owner_claim(venue, days_ago=1, review_status="pending")
    Observation.objects.filter(pk=claim.pk).update(submitter=volunteer)
    moderator_api.post(f"/api/moderation/observations/{claim.public_id}/", {"action": "approve"}, format="json")
    assert not moderation.is_trusted(volunteer)
    assert Observation.objects.approved().filter(submitter=volunteer).count() == 0


# --- the venue page and a volunteer's visit ---


def test_the_venue_page_says_the_owner_reports_the_sign_posted_in_english_and_spanish(client, venue):
    owner_claim(venue, days_ago=2)
    day = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()

    english = client.get(f"/v/{venue.public_id}/").content.decode()
    spanish = client.get(f"/v/{venue.public_id}/", headers={"accept-language": "es"}).content.decode()

    assert f"The owner reports the sign posted on {day}, awaiting a volunteer's visit." in english
    assert f"El dueño informa que colocó el letrero el {day}; falta la visita de un voluntario." in spanish
    assert f"/v/{venue.public_id}/owner/" in english  # and the page offers the owner's form


def test_a_pending_or_rejected_claim_is_not_shown(client, venue):
    owner_claim(venue, days_ago=2, review_status="pending")
    owner_claim(venue, days_ago=1, review_status="rejected")
    assert 'id="owner-claim"' not in client.get(f"/v/{venue.public_id}/").content.decode()


def test_a_volunteers_later_visit_confirms_the_claim_and_only_the_visit_counts(client, venue):
    owner_claim(venue, days_ago=5)
    venue.refresh_from_db()
    assert venue.current_status == "missing"  # the claim alone moves nothing

    visit = report(venue, "posted", days_ago=1)

    venue.refresh_from_db()
    assert venue.current_status == "posted" and venue.status_observed_on == visit.observed_on
    assert owners.public_claim(venue) == owners.Claim(
        timezone.localdate() - datetime.timedelta(days=5), visit.observed_on
    )
    page = client.get(f"/v/{venue.public_id}/").content.decode()
    assert f"confirmed by a volunteer on {visit.observed_on.isoformat()}" in page
    assert client.get(f"/api/venues/{venue.public_id}/").json()["owner_claim"]["confirmed_on"] == str(visit.observed_on)
    assert "awaiting a volunteer" not in page
    spanish = client.get(f"/v/{venue.public_id}/", headers={"accept-language": "es"}).content.decode()
    assert f"confirmado por un voluntario el {visit.observed_on.isoformat()}" in spanish


def test_a_volunteers_later_visit_that_finds_it_missing_ends_the_claim(client, venue):
    owner_claim(venue, days_ago=5)
    report(venue, "missing", days_ago=1)

    assert owners.public_claim(venue) is None
    assert not owners.has_open_claim(venue)
    assert 'id="owner-claim"' not in client.get(f"/v/{venue.public_id}/").content.decode()


def test_a_visit_dated_before_the_claimed_day_does_not_settle_it(venue):
    owner_claim(venue, days_ago=3)
    report(venue, "posted", days_ago=10)  # sent after the claim, but seen before the day the owner names

    assert owners.public_claim(venue) == owners.Claim(timezone.localdate() - datetime.timedelta(days=3))
    assert owners.has_open_claim(venue)


# --- the re-visit list ---


def test_a_venue_with_an_unconfirmed_claim_comes_first_on_the_revisit_list(api, db):
    texas = Jurisdiction.objects.get(code="TX")
    sampled = [frame_venue("TX", "bus_station", AUSTIN[0] + 0.01 * n, AUSTIN[1]) for n in range(1, 6)]
    missions.draw_sample(jurisdiction=texas, seed=3, margin_of_error=0.3)
    assert SampledVenue.objects.filter(is_current=True).exists()
    # Farther than every sampled venue, and not in the sample at all.
    claimed = frame_venue("TX", "truck_stop", AUSTIN[0] + 0.2, AUSTIN[1], name="Claimed Fuel")
    report(claimed, "missing", days_ago=30)
    claim = owner_claim(claimed, days_ago=2)
    owner_claim(frame_venue("TX", "truck_stop", AUSTIN[0], AUSTIN[1] + 0.01), days_ago=2, review_status="pending")

    listed = api.get("/api/missions/nearby/", {"lat": AUSTIN[0], "lon": AUSTIN[1]}).json()["missions"]

    assert listed[0]["venue_id"] == str(claimed.public_id)
    assert listed[0]["reason"] == "owner_reports_posted"
    assert listed[0]["owner_reports_posted_on"] == claim.observed_on.isoformat()
    assert listed[0]["distance_m"] > max(item["distance_m"] for item in listed[1:])
    assert {item["venue_id"] for item in listed[1:]} <= {str(v.public_id) for v in sampled}
    assert all(item["reason"] == "never_visited" for item in listed[1:])  # the pending claim sends nobody

    report(claimed, "posted", days_ago=0)  # a volunteer confirmed it: off the top of the list
    again = api.get("/api/missions/nearby/", {"lat": AUSTIN[0], "lon": AUSTIN[1]}).json()["missions"]
    assert str(claimed.public_id) not in {item["venue_id"] for item in again}


# --- the sign page's link ---


def test_the_sign_page_printed_for_a_venue_offers_its_owner_the_posted_report(client, venue):
    page = client.get("/signs/TX/", {"venue_type": "truck_stop", "venue": str(venue.public_id)}).content.decode()
    assert f"/v/{venue.public_id}/owner/" in page
    for venue_param in ("", "nonsense", "5b0c1c1e-0000-4000-8000-000000000000"):
        other = client.get("/signs/TX/", {"venue_type": "truck_stop", "venue": venue_param})
        assert other.status_code == 200 and "/owner/" not in other.content.decode()
