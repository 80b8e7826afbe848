"""POST /api/observations/ and what follows: intake, placement, venues, duplicates, receipts, moderation."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from compliance import observations
from compliance.models import Observation, Photo, Venue
from tests import images
from tests.conftest import stored_files

AUSTIN = images.AUSTIN
DALLAS = (32.7767, -96.7970)


def post(api, *photos: bytes, headers: dict | None = None, **fields):
    """Send a report the way the submit page does (multipart), with sensible defaults."""
    data = {"venue_type": "truck_stop", "sign_status": "posted", **fields}
    data = {key: value for key, value in data.items() if value is not None}
    data["photos"] = [SimpleUploadedFile(f"IMG_{n}.jpg", content) for n, content in enumerate(photos)]
    return api.post("/api/observations/", data, format="multipart", headers=headers or {})


def plain_jpeg(seed: int = 1) -> bytes:
    return images.jpeg(images.photo_like(640, 480, seed=seed))


def at(point):
    return {"lat": point[0], "lon": point[1]}


def stored_bytes(photo: Photo) -> tuple[bytes, bytes]:
    with photo.image.open("rb") as image, photo.thumbnail.open("rb") as thumbnail:
        return image.read(), thumbnail.read()


# --- accepted ---


def test_phone_photo_is_accepted_placed_and_stripped_of_everything_identifying(api, media_root):
    response = post(api, images.telltale_jpeg(), **at(AUSTIN), accuracy_m=8)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "receipt", "review_status", "jurisdiction", "venue_id"}
    assert body["review_status"] == "pending"
    assert body["jurisdiction"] == "TX"
    assert body["venue_id"] is None  # a venue not yet on the public map is not named

    observation = Observation.objects.get(public_id=body["id"])
    (photo,) = observation.photos.all()
    for data in stored_bytes(photo):
        assert b"Exif" not in data and b"http://ns.adobe.com/xap" not in data and b"Photoshop 3.0" not in data
        assert b"ICC_PROFILE" not in data
        for text in images.IDENTIFYING_TEXTS:
            assert text.encode() not in data
        assert data.count(b"\xff\xd8") == 1  # no embedded thumbnail JPEG inside
    # The 400x300 picture was stored with Orientation=6: upright it is 300 wide and 400 tall.
    assert (photo.width, photo.height) == (300, 400)
    assert len(stored_files(media_root)) == 2
    for path in stored_files(media_root):
        assert "IMG_" not in path.name  # the original name is never kept


def test_location_comes_from_the_photo_when_the_phone_gives_none(api):
    body = post(api, images.telltale_jpeg()).json()
    observation = Observation.objects.get(public_id=body["id"])
    assert observation.location_source == "exif"
    assert observation.venue.jurisdiction.code == "TX"
    assert observation.observed_on == datetime.date(2024, 5, 17)


def test_heic_with_gps_is_accepted_and_stored_as_jpeg(api):
    response = post(api, images.with_phone_metadata("HEIF"))
    assert response.status_code == 201, response.json()
    photo = Photo.objects.get(observation__public_id=response.json()["id"])
    image_bytes, _ = stored_bytes(photo)
    assert image_bytes.startswith(b"\xff\xd8")
    assert response.json()["jurisdiction"] == "TX"


def test_png_with_text_chunks_is_accepted_and_stored_clean(api):
    response = post(api, images.png_with_text(), **at(AUSTIN))
    assert response.status_code == 201, response.json()
    image_bytes, thumbnail = stored_bytes(Photo.objects.get(observation__public_id=response.json()["id"]))
    for text in images.IDENTIFYING_TEXTS:
        assert text.encode() not in image_bytes + thumbnail


def test_three_photos_are_kept_in_order(api):
    response = post(api, plain_jpeg(1), plain_jpeg(2), plain_jpeg(3), **at(AUSTIN))
    assert response.status_code == 201
    assert Photo.objects.filter(observation__public_id=response.json()["id"]).count() == 3


# --- refused, leaving nothing behind ---


def _huge_header_png() -> bytes:
    return images.bilevel_png(20_000, 20_000, complete=False)


def _real_10k_png() -> bytes:
    return images.bilevel_png(10_000, 10_000, complete=True)


@pytest.mark.parametrize(
    ("make_photo", "fields", "status", "code"),
    [
        (lambda: b"", at(AUSTIN), 400, "empty_file"),
        (images.truncated_jpeg, at(AUSTIN), 400, "corrupt_image"),
        (images.html_named_jpg, at(AUSTIN), 415, "unsupported_media_type"),
        (images.svg, at(AUSTIN), 415, "unsupported_media_type"),
        (_huge_header_png, at(AUSTIN), 413, "image_too_large"),
        (_real_10k_png, at(AUSTIN), 413, "image_too_large"),
        (plain_jpeg, {"lat": 91, "lon": -97}, 400, "max_value"),
        (plain_jpeg, {"lat": "NaN", "lon": -97}, 400, "invalid"),
        (plain_jpeg, {"lat": 0, "lon": 0}, 422, "outside_supported_area"),
        (plain_jpeg, {"lat": 43.6532, "lon": -79.3832}, 422, "outside_supported_area"),  # Toronto
        (plain_jpeg, {}, 422, "location_required"),
    ],
    ids=[
        "zero-bytes",
        "truncated",
        "html",
        "svg",
        "20000-header",
        "10000-real",
        "lat-91",
        "nan",
        "null-island",
        "canada",
        "no-location",
    ],
)
def test_refused_uploads_leave_no_file_and_no_row(api, media_root, make_photo, fields, status, code):
    response = post(api, make_photo(), **fields)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    assert Observation.objects.count() == 0 and Venue.objects.count() == 0 and Photo.objects.count() == 0
    assert stored_files(media_root) == []


def test_file_over_the_byte_cap_is_refused_before_reading(api, settings, media_root):
    settings.SIGNWATCH = {**settings.SIGNWATCH, "PHOTO_MAX_BYTES": 50_000}
    response = post(api, images.jpeg(images.photo_like(1200, 900, seed=3), quality=95), **at(AUSTIN))
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert stored_files(media_root) == [] and Observation.objects.count() == 0


def test_a_failure_while_recording_removes_the_files_already_written(api, media_root, monkeypatch):
    def broken_bulk_create(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Photo.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(RuntimeError):
        post(api, plain_jpeg(), **at(AUSTIN))
    assert stored_files(media_root) == []
    assert Observation.objects.count() == 0 and Venue.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"sign_status": "deficient"}, "deficiencies"),
        ({"sign_status": "posted", "deficiencies": ["too_small"]}, "deficiencies"),
        ({"sign_status": "maybe"}, "sign_status"),
        ({"venue_type": "spaceport"}, "venue_type"),
        ({"venue_id": 999_999}, "venue_id"),
        ({"lat": 30.2, "lon": None}, "lon"),
        ({"observed_on": "2999-01-01"}, "observed_on"),
    ],
)
def test_bad_fields_are_400_naming_the_field(api, media_root, fields, field):
    response = post(api, plain_jpeg(), **{**at(AUSTIN), **fields})
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert stored_files(media_root) == []


def test_no_photo_or_too_many_photos_is_refused(api):
    assert post(api, **at(AUSTIN)).json()["code"] == "required"
    response = post(api, *(plain_jpeg(n) for n in range(4)), **at(AUSTIN))
    # Refused by the parser as the fourth file begins (DATA_UPLOAD_MAX_NUMBER_FILES), before it is read.
    assert response.status_code == 413 and response.json()["code"] == "too_many_files"
    assert response.json()["field"] == "photos"


# --- flags, venues, duplicates ---


def test_photo_gps_far_from_phone_location_is_flagged(api):
    body = post(api, images.telltale_jpeg(), **at(DALLAS)).json()
    observation = Observation.objects.get(public_id=body["id"])
    assert "location_conflict" in observation.flags
    assert observation.location_source == "device"  # the phone's point wins; the moderator sees both


def test_old_photo_is_flagged_stale(api, settings):
    settings.SIGNWATCH = {**settings.SIGNWATCH, "STALE_CAPTURE_DAYS": 30}
    body = post(api, images.telltale_jpeg(), **at(AUSTIN)).json()
    assert "stale_capture" in Observation.objects.get(public_id=body["id"]).flags


def test_reports_within_the_radius_join_one_venue(api):
    first = post(api, plain_jpeg(1), **at(AUSTIN)).json()
    second = post(api, plain_jpeg(2), lat=AUSTIN[0] + 0.0003, lon=AUSTIN[1]).json()  # ~33 m north
    farther = post(api, plain_jpeg(3), lat=AUSTIN[0] + 0.0010, lon=AUSTIN[1]).json()  # ~111 m north
    other_type = post(api, plain_jpeg(4), venue_type="hotel_motel", **at(AUSTIN)).json()
    venue = Observation.objects.get(public_id=first["id"]).venue
    assert Observation.objects.get(public_id=second["id"]).venue == venue
    assert Observation.objects.get(public_id=farther["id"]).venue != venue
    assert Observation.objects.get(public_id=other_type["id"]).venue != venue
    assert venue.tile_key > 0


def test_choosing_a_venue_far_away_is_flagged(api, moderator):
    first = post(api, plain_jpeg(1), **at(AUSTIN)).json()
    observations.moderate(
        observation=Observation.objects.get(public_id=first["id"]), moderator=moderator, action="approve"
    )
    venue = Observation.objects.get(public_id=first["id"]).venue
    second = post(api, plain_jpeg(2), venue_id=str(venue.public_id), **at(DALLAS)).json()
    observation = Observation.objects.get(public_id=second["id"])
    assert observation.venue == venue
    assert "far_from_venue" in observation.flags


def test_duplicate_photo_is_flagged_but_the_answer_looks_the_same(api):
    photo = plain_jpeg(7)
    fresh = post(api, photo, **at(AUSTIN))
    again = post(api, photo, **at(AUSTIN))
    assert fresh.status_code == again.status_code == 201
    assert set(fresh.json()) == set(again.json())
    assert again.json()["review_status"] == fresh.json()["review_status"] == "pending"
    assert again.json()["venue_id"] == fresh.json()["venue_id"] is None
    duplicate = Observation.objects.get(public_id=again.json()["id"])
    assert "duplicate_photo" in duplicate.flags
    assert duplicate.photos.get().duplicate_of.observation.public_id.hex == fresh.json()["id"].replace("-", "")


def test_near_identical_photo_is_flagged_as_duplicate(api):
    picture = images.photo_like(800, 600, seed=11)
    post(api, images.jpeg(picture, quality=92), **at(AUSTIN))
    resized = images.jpeg(picture.resize((640, 480), Image.Resampling.LANCZOS), quality=70)
    body = post(api, resized, **at(AUSTIN)).json()
    assert "duplicate_photo" in Observation.objects.get(public_id=body["id"]).flags


def test_a_repeated_idempotency_key_answers_the_first_result(api, media_root):
    headers = {"Idempotency-Key": "phone-queue-0001"}
    first = post(api, plain_jpeg(1), headers=headers, **at(AUSTIN))
    repeat = post(api, plain_jpeg(1), headers=headers, **at(AUSTIN))
    assert first.status_code == repeat.status_code == 201
    assert first.json() == repeat.json()
    assert Observation.objects.count() == 1
    assert len(stored_files(media_root)) == 2


# --- throttles ---


def test_anonymous_submissions_are_throttled_per_client(api, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "submissions": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        for n in range(2):
            assert post(api, plain_jpeg(n), **at(AUSTIN)).status_code == 201
        limited = post(api, plain_jpeg(5), **at(AUSTIN))
        assert limited.status_code == 429
        assert limited.json()["code"] == "throttled"
        # A made-up X-Forwarded-For does not make a new client.
        spoofed = post(api, plain_jpeg(6), headers={"X-Forwarded-For": "203.0.113.9"}, **at(AUSTIN))
        assert spoofed.status_code == 429
    finally:
        # The class attribute was read from the settings once, at import; put that object back.
        ScopedRateThrottle.THROTTLE_RATES = original


# --- receipts and accounts ---


def test_receipt_shows_pending_then_the_moderators_decision(api, moderator_api):
    body = post(api, plain_jpeg(), **at(AUSTIN)).json()
    receipt = api.get(f"/api/observations/receipt/{body['receipt']}/").json()
    assert receipt["review_status"] == "pending"
    assert "captured_latitude" not in receipt and "submitter" not in receipt
    moderator_api.post(
        f"/api/moderation/observations/{body['id']}/", {"action": "reject", "reason": "Blurry: retake"}, format="json"
    )
    receipt = api.get(f"/api/observations/receipt/{body['receipt']}/").json()
    assert receipt["review_status"] == "rejected"
    assert receipt["review_reason"] == "Blurry: retake"


def test_unknown_receipt_is_404(api):
    assert api.get("/api/observations/receipt/not-a-receipt/").status_code == 404


def test_logged_in_volunteer_is_linked_and_sees_their_history(api, django_user_model):
    volunteer = django_user_model.objects.create_user("volunteer", password="pw-for-tests-only")
    api.force_authenticate(volunteer)
    body = post(api, plain_jpeg(), **at(AUSTIN)).json()
    assert Observation.objects.get(public_id=body["id"]).submitter == volunteer
    mine = api.get("/api/observations/mine/").json()
    assert [row["id"] for row in mine] == [body["id"]]


def test_history_needs_an_account(api):
    assert api.get("/api/observations/mine/").status_code == 403


def test_storage_failure_is_a_503_json_answer_with_nothing_recorded(api, media_root, monkeypatch):
    from django.core.files.storage import default_storage

    def full_disk(name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(default_storage, "save", full_disk)
    response = post(api, plain_jpeg(), **at(AUSTIN))
    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"
    assert Observation.objects.count() == 0 and Venue.objects.count() == 0


# --- requests Django itself refuses still answer JSON ---


def test_too_many_files_is_a_json_413_before_they_are_stored(api, media_root):
    data = {"photos": [SimpleUploadedFile(f"a{n}.jpg", b"x") for n in range(120)], "sign_status": "posted"}
    response = api.post("/api/observations/", data, format="multipart")
    assert response.status_code == 413
    assert response.json()["code"] == "too_many_files"
    assert stored_files(media_root) == []


def test_too_many_fields_is_a_json_400(api):
    response = api.post("/api/observations/", {f"field{n}": "x" for n in range(1200)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_json_body_is_a_json_415(api):
    response = api.post("/api/observations/", {"lat": 1}, format="json")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


# --- the domain says what went wrong; the API alone says which HTTP status that is ---


def test_intake_errors_name_the_problem_without_an_http_status():
    with pytest.raises(observations.LocationRequired) as missing:
        observations.place(None, [])
    with pytest.raises(observations.OutsideSupportedArea) as outside:
        observations.place(observations.ReportedPoint(0.0, -30.0, "device"), [])
    for refusal in (missing.value, outside.value):
        assert refusal.field == "lat" and refusal.detail and not hasattr(refusal, "status")
    assert (missing.value.code, outside.value.code) == ("location_required", "outside_supported_area")


def test_the_api_maps_each_domain_error_to_its_status(api):
    from compliance.api.errors import from_domain

    assert from_domain(observations.LocationRequired("x")).status_code == 422
    assert from_domain(observations.OwnReport("x")).status_code == 403
    assert from_domain(observations.IdempotencyKeyReused("x")).status_code == 409
    assert from_domain(observations.StorageUnavailable("x")).status_code == 503
    answer = post(api, plain_jpeg(), venue_type="truck_stop")  # no point anywhere: the domain's LocationRequired
    assert answer.status_code == 422 and answer.json()["code"] == "location_required"
