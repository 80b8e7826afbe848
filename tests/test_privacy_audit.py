"""Privacy audit: after a batch of varied uploads, no stored photo carries metadata, and no public answer (nor the
private exports) carries who reported, from where exactly, when exactly, or with which file or receipt."""

from __future__ import annotations

import io
import json
import math
import struct

import pypdf
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from compliance import geo, roles, scoreboard
from compliance.models import Observation, Photo, Venue
from tests import images

# The venue stands here; the volunteers' phones report a point about 40 m north-east of it (28 m north, 28 m east),
# inside the venue match radius, so every report joins this venue and the two points can be told apart.
VENUE_POINT = (30.2500, -97.7500)
DEVICE_POINT = (30.250254, -97.749705)
USERNAME = "zq-volunteer-7731"
EMAIL = "zq.volunteer@example.net"
FILE_PREFIX = "IMG_PRIV_"

# Strings that would identify a volunteer or pin down their visit.
FORBIDDEN = (
    USERNAME,
    EMAIL,
    "zq.volunteer",
    "submitter",
    "127.0.0.1",  # the test client's REMOTE_ADDR
    FILE_PREFIX,
    "captured_latitude",
    "captured_longitude",
    "captured_at",
    "30.2502",  # the device point, rounded either way
    "30.2503",
    "97.7497",
    "30.2672",  # the photos' EXIF point (Austin)
    "97.7431",
    ":32:08",  # the EXIF capture time, 14:32:08 local or 19:32:08 UTC (minutes alone could match the clock)
    *images.IDENTIFYING_TEXTS,
)

# JPEG markers a clean file may hold before its scan: JFIF, quantisation and Huffman tables, frame, restart interval.
ALLOWED_MARKERS = {0xE0, 0xDB, 0xC4, 0xC0, 0xDD}


def jpeg_markers(data: bytes) -> list[int]:
    """The marker of every segment from SOI to the first scan, walking the segment lengths."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    markers, offset = [], 2
    while True:
        assert data[offset] == 0xFF, f"no marker at {offset}"
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        markers.append(marker)
        if marker == 0xDA:
            return markers
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker == 0xE0:
            payload = data[offset + 4 : offset + 2 + length]
            assert payload.startswith(b"JFIF\x00") and payload[12:14] == b"\x00\x00", "JFIF with a thumbnail"
        offset += 2 + length


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def assert_carries_nothing_private(where: str, text: str, receipts: list[str]) -> None:
    for secret in (*FORBIDDEN, *receipts):
        assert secret not in text, f"{where} carries {secret!r}"


@pytest.fixture
def reported_venue(db, moderator_api) -> tuple[Venue, list[str]]:
    """A venue with approved reports made from varied phones' files, by a signed-in volunteer; and their receipts."""
    volunteer = User.objects.create_user(USERNAME, email=EMAIL, password="pw-for-tests-only")
    client = APIClient()
    client.force_authenticate(volunteer)
    uploads = [
        (images.jpeg(images.photo_like(640, 480, seed=60)), VENUE_POINT),  # the report that puts the venue there
        (images.telltale_jpeg(), DEVICE_POINT),
        (images.with_phone_metadata("HEIF"), DEVICE_POINT),
        (images.png_with_text(), DEVICE_POINT),
        (images.with_phone_metadata("WEBP"), DEVICE_POINT),
        (images.multi_picture_jpeg(), DEVICE_POINT),
    ]
    receipts = []
    for n, (content, (lat, lon)) in enumerate(uploads):
        data = {
            "venue_type": "truck_stop",
            "sign_status": "posted",
            "lat": lat,
            "lon": lon,
            "accuracy_m": 7,
            "notes": "Sign by the door",
            "photos": [SimpleUploadedFile(f"{FILE_PREFIX}{n:04}.jpg", content, content_type="image/jpeg")],
        }
        response = client.post("/api/observations/", data, format="multipart")
        assert response.status_code == 201, response.content
        body = response.json()
        receipts.append(body["receipt"])
        decision = moderator_api.post(f"/api/moderation/observations/{body['id']}/", {"action": "approve"})
        assert decision.status_code == 200
    # One more report stays pending: nothing of it may show either.
    pending = APIClient().post(
        "/api/observations/",
        {
            "venue_type": "truck_stop",
            "sign_status": "missing",
            "lat": DEVICE_POINT[0],
            "lon": DEVICE_POINT[1],
            "photos": [SimpleUploadedFile(f"{FILE_PREFIX}pending.jpg", images.telltale_jpeg())],
        },
        format="multipart",
    )
    receipts.append(pending.json()["receipt"])
    (venue,) = Venue.objects.all()
    assert (venue.latitude, venue.longitude) == VENUE_POINT
    assert Observation.objects.filter(venue=venue, review_status="approved").count() == len(uploads)
    assert Observation.objects.exclude(captured_at=None).exists()  # the EXIF time was read, so it could leak
    scoreboard.invalidate()
    return venue, receipts


def test_every_stored_photo_and_thumbnail_has_no_metadata_segment(reported_venue, media_root):
    photos = Photo.objects.all()
    assert photos.count() == 7
    for photo in photos:
        for field in (photo.image, photo.thumbnail):
            with field.open("rb") as handle:
                data = handle.read()
            markers = jpeg_markers(data)
            assert set(markers) - {0xDA} <= ALLOWED_MARKERS, [hex(marker) for marker in markers]
            assert data.count(b"\xff\xd8") == 1  # no embedded thumbnail
            for text in (b"Exif", b"http://ns.adobe.com", b"Photoshop 3.0", b"ICC_PROFILE", b"8BIM", b"MPF"):
                assert text not in data
            for text in images.IDENTIFYING_TEXTS:
                assert text.encode() not in data
            assert FILE_PREFIX not in field.name


def test_approved_photos_as_served_have_no_metadata_segment(reported_venue, client):
    for photo in Photo.objects.filter(observation__review_status="approved"):
        for path in (f"/photos/{photo.public_id}.jpg", f"/photos/{photo.public_id}/thumb.jpg"):
            response = client.get(path)
            assert response.status_code == 200
            data = b"".join(response.streaming_content)
            assert set(jpeg_markers(data)) - {0xDA} <= ALLOWED_MARKERS
            assert FILE_PREFIX not in response.get("Content-Disposition", "")  # served under its random name


def test_no_public_answer_carries_the_submitter_their_point_time_file_or_receipt(reported_venue, client):
    venue, receipts = reported_venue
    pages = ["/", "/j/TX/", f"/v/{venue.public_id}/", "/reports/TX/", "/signs/TX/"]
    apis = [
        "/api/jurisdictions/TX/",
        "/api/compliance/",
        f"/api/venues/{venue.public_id}/",
        f"/api/venues/nearby/?lat={VENUE_POINT[0]}&lon={VENUE_POINT[1]}",
        "/api/map/?bbox=-125,24,-66,50&zoom=4",
        "/api/map/?bbox=-97.76,30.24,-97.74,30.26&zoom=16",
        "/open311/v2/requests.json",
        "/open311/v2/requests.json?status=open,closed&service_code=hotline_sign_posted",
    ]
    for path in pages + apis:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_carries_nothing_private(path, response.content.decode(), receipts)
    public_venue = client.get(f"/api/venues/{venue.public_id}/").json()
    assert (public_venue["latitude"], public_venue["longitude"]) == VENUE_POINT  # the venue's point, not the phone's
    for path in ("/reports/TX.pdf", "/signs/TX.pdf"):
        response = client.get(path)
        assert response.status_code == 200 and response.content.startswith(b"%PDF"), path
        assert_carries_nothing_private(path, pdf_text(response.content), receipts)
        for name in (USERNAME, FILE_PREFIX, "127.0.0.1"):
            assert name.encode() not in response.content, path  # nor in the PDF's metadata


def test_the_private_exports_carry_no_submitter_data_either(reported_venue):
    _, receipts = reported_venue
    advocate = User.objects.create_user("advocate", password="pw-for-tests-only")
    advocate.groups.add(roles.advocates_group())
    client = APIClient()
    client.force_login(advocate)
    for path in ("/reports/TX.csv", "/reports/TX.geojson"):
        response = client.get(path)
        assert response.status_code == 200, path
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert_carries_nothing_private(path, content.decode("utf-8-sig"), receipts)


def test_a_receipt_shows_no_point_time_account_or_other_receipt(reported_venue, client):
    _, receipts = reported_venue
    for receipt in receipts:
        for path in (f"/r/{receipt}/", f"/api/observations/receipt/{receipt}/"):
            response = client.get(path)
            assert response.status_code == 200, path
            text = response.content.decode().replace(receipt, "")
            assert_carries_nothing_private(path, text, [r for r in receipts if r != receipt])


# --- venues placed by reports: the public point is coarsened, never the volunteer's digits ---

# Where three volunteers stood, to the digits a phone or a photo gives. Each report is the first at its place, so
# it creates the venue; the 5th decimals are not 0, so the coarsened points (4 decimals) share none of the finer
# digits the audit looks for.
EXIF_POINT = (30 + 16 / 60 + 2.3456 / 3600, -(97 + 44 / 60 + 3.56789 / 3600))  # in the photo's GPS only
DEVICE_POINT_PRECISE = (29.76042713, -95.36981234)  # the phone's geolocation (Houston)
MANUAL_POINT_PRECISE = (32.77671389, -96.79681376)  # a pin placed by hand (Dallas)
# Documented in README.md ("Privacy"): the public point is within this distance of where the volunteer stood.
PUBLIC_POINT_MAX_OFFSET_M = 8


def finer_digits(value: float) -> set[str]:
    """The value written with 5 to 8 decimals, rounded and truncated: any of them in an answer places the
    volunteer more precisely than the documented 4 decimals."""
    value = abs(value)
    written = set()
    for decimals in range(5, 9):
        written.add(f"{value:.{decimals}f}")
        written.add(f"{math.trunc(value * 10**decimals) / 10**decimals:.{decimals}f}")
    return written


def exif_gps_jpeg(point: tuple[float, float], seed: int) -> bytes:
    """A photo whose EXIF GPS is the point, as degrees, minutes and seconds with five decimals."""

    def dms(degrees: float) -> tuple[tuple[int, int], ...]:
        degrees = abs(degrees)
        whole = int(degrees)
        minutes = int((degrees - whole) * 60)
        seconds = round((degrees - whole - minutes / 60) * 3600 * 100_000)
        return ((whole, 1), (minutes, 1), (seconds, 100_000))

    gps = images.gps_ifd(latitude=dms(point[0]), longitude=dms(point[1]), refs=("N", "W"))
    return images.jpeg(
        images.photo_like(640, 480, seed=seed), segments=(images.segment(0xE1, images.exif_bytes(gps=gps)),)
    )


@pytest.fixture
def venues_placed_by_reports(db, moderator_api) -> dict[str, tuple[Venue, tuple[float, float]]]:
    """Three venues, each created by an approved report: from EXIF GPS alone, from the phone, from a hand pin."""
    reports = {
        "exif": ({}, exif_gps_jpeg(EXIF_POINT, seed=81), "truck_stop"),
        "device": (
            {"lat": DEVICE_POINT_PRECISE[0], "lon": DEVICE_POINT_PRECISE[1], "accuracy_m": 4},
            images.jpeg(images.photo_like(640, 480, seed=82)),
            "bus_station",
        ),
        "manual": (
            {"lat": MANUAL_POINT_PRECISE[0], "lon": MANUAL_POINT_PRECISE[1], "location_source": "manual"},
            images.jpeg(images.photo_like(640, 480, seed=83)),
            "hotel_motel",
        ),
    }
    points = {"exif": EXIF_POINT, "device": DEVICE_POINT_PRECISE, "manual": MANUAL_POINT_PRECISE}
    placed = {}
    for name, (fields, photo, venue_type) in reports.items():
        response = APIClient().post(
            "/api/observations/",
            {
                "venue_type": venue_type,
                "sign_status": "missing",
                **fields,
                "photos": [SimpleUploadedFile("IMG_0001.jpg", photo)],
            },
            format="multipart",
        )
        assert response.status_code == 201, response.content
        observation = Observation.objects.get(public_id=response.json()["id"])
        # The capture point is kept exactly, for moderators (the EXIF one to the precision of its rationals).
        assert observation.captured_latitude == pytest.approx(points[name][0], abs=1e-9)
        assert observation.captured_longitude == pytest.approx(points[name][1], abs=1e-9)
        assert observation.location_source == {"exif": "exif", "device": "device", "manual": "manual"}[name]
        queue = moderator_api.get("/api/moderation/queue/").json()
        (item,) = [item for item in queue if item["id"] == str(observation.public_id)]
        assert item["captured_latitude"] == observation.captured_latitude  # moderators see where it was taken
        decision = moderator_api.post(f"/api/moderation/observations/{observation.public_id}/", {"action": "approve"})
        assert decision.status_code == 200, decision.content
        placed[name] = (Venue.objects.get(pk=observation.venue_id), points[name])
    scoreboard.invalidate()
    return placed


def test_a_venue_placed_by_a_report_publishes_a_coarsened_point(venues_placed_by_reports):
    for venue, (latitude, longitude) in venues_placed_by_reports.values():
        assert (venue.latitude, venue.longitude) == geo.public_point(latitude, longitude)
        assert (venue.latitude, venue.longitude) == (round(latitude, 4), round(longitude, 4))
        assert (venue.latitude, venue.longitude) != (latitude, longitude)
        assert 0 < geo.distance_m(latitude, longitude, venue.latitude, venue.longitude) <= PUBLIC_POINT_MAX_OFFSET_M
        for digits in finer_digits(latitude) | finer_digits(longitude):
            # The audit below is only meaningful if the coarsened point cannot contain these strings.
            assert digits not in f"{venue.latitude:.8f} {venue.longitude:.8f}"


def test_no_public_surface_carries_a_capture_point_finer_than_documented(venues_placed_by_reports, advocate):
    forbidden = set()
    for _venue, (latitude, longitude) in venues_placed_by_reports.values():
        forbidden |= finer_digits(latitude) | finer_digits(longitude)
    public = APIClient()
    paths = ["/", "/api/compliance/", "/open311/v2/requests.json", "/open311/v2/requests.json?status=open,closed"]
    paths += ["/open311/v2/requests.xml?status=open,closed", "/feeds/all.atom", "/api/letters/"]
    for code in ("TX",):
        paths += [f"/j/{code}/", f"/reports/{code}/", f"/api/jurisdictions/{code}/", f"/feeds/{code}.atom"]
    for venue, (latitude, longitude) in venues_placed_by_reports.values():
        paths += [
            f"/v/{venue.public_id}/",
            f"/api/venues/{venue.public_id}/",
            f"/api/venues/nearby/?lat={latitude}&lon={longitude}",
            f"/open311/v2/requests/{venue.observations.get().public_id}.json",
        ]
        # Every zoom of the map: clusters of each level, and single venues.
        for zoom in range(3, 19):
            paths.append(
                f"/api/map/?bbox={longitude - 0.05},{latitude - 0.05},{longitude + 0.05},{latitude + 0.05}&zoom={zoom}"
            )
    answers = {}
    for path in paths:
        response = public.get(path)
        assert response.status_code == 200, path
        answers[path] = response.content.decode()
    response = public.get("/reports/TX.pdf")
    answers["/reports/TX.pdf"] = pdf_text(response.content)
    exports = APIClient()
    exports.force_login(advocate)
    for path in ("/reports/TX.csv", "/reports/TX.geojson"):
        response = exports.get(path)
        assert response.status_code == 200, path
        content = b"".join(response.streaming_content) if response.streaming else response.content
        answers[path] = content.decode("utf-8-sig")
    letter = exports.post("/api/letters/", {"jurisdiction": "TX", "kind": "enforcement"}, format="json")
    assert letter.status_code == 201, letter.content
    letter_id = letter.json()["id"]
    answers["/api/letters/"] = letter.content.decode()
    for path in (f"/letters/{letter_id}/", f"/api/letters/{letter_id}/"):
        answers[path] = exports.get(path).content.decode()
    answers[f"/letters/{letter_id}.pdf"] = pdf_text(exports.get(f"/letters/{letter_id}.pdf").content)
    for path, text in answers.items():
        for digits in forbidden:
            assert digits not in text, f"{path} carries {digits!r}"
    # The audit read real answers: each venue's coarsened point is on its page of the API.
    for venue, _point in venues_placed_by_reports.values():
        detail = json.loads(answers[f"/api/venues/{venue.public_id}/"])
        assert (detail["latitude"], detail["longitude"]) == (venue.latitude, venue.longitude)
