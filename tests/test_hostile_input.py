"""Hostile input against every write endpoint and the upload path: always a JSON 4xx (never 5xx, never HTML), and a
refusal leaves nothing behind; what is accepted is a clean re-encoded JPEG."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from compliance import roles
from compliance.models import Letter, Observation, Photo, Venue
from tests import images
from tests.conftest import stored_files
from tests.test_observations import AUSTIN, at, plain_jpeg, post

XSS_PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


def assert_json_error(response, status: int | None = None) -> dict:
    """A refusal in the API's shape: 4xx, JSON, with a code and a detail."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] and body["detail"], body
    return body


def assert_nothing_written(media_root) -> None:
    assert Observation.objects.count() == 0 and Venue.objects.count() == 0 and Photo.objects.count() == 0
    assert stored_files(media_root) == []


def send(api, files: list[SimpleUploadedFile], **fields):
    """A multipart report with the given file objects (names and declared types under the test's control)."""
    data = {"venue_type": "truck_stop", "sign_status": "posted", **at(AUSTIN), **fields, "photos": files}
    return api.post("/api/observations/", data, format="multipart")


def stored_photo(response) -> bytes:
    assert response.status_code == 201, response.content[:300]
    photo = Photo.objects.get(observation__public_id=response.json()["id"])
    with photo.image.open("rb") as handle:
        return handle.read()


def assert_clean_rgb_jpeg(data: bytes) -> None:
    assert data.startswith(b"\xff\xd8\xff")
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "JPEG" and picture.mode == "RGB"
    assert not picture.info.get("progressive") and not picture.info.get("exif") and not picture.info.get("icc_profile")
    picture.load()


@pytest.fixture
def volunteer(db) -> User:
    return User.objects.create_user("volunteer", password="pw-for-tests-only")


@pytest.fixture
def advocate_api(db) -> APIClient:
    user = User.objects.create_user("advocate", password="pw-for-tests-only")
    user.groups.add(roles.advocates_group())
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- malformed multipart ---


def test_many_files_are_refused_as_json(api, media_root):
    files = [SimpleUploadedFile(f"f{n}.jpg", b"x") for n in range(150)]
    assert_json_error(send(api, files))
    assert_nothing_written(media_root)


def test_many_fields_are_refused_as_json(api, media_root):
    extra = {f"field{n}": "x" for n in range(1500)}
    assert_json_error(post(api, plain_jpeg(), **at(AUSTIN), **extra))
    assert_nothing_written(media_root)


@pytest.mark.parametrize("field", ["notes", "venue_name", "languages", "lat"])
def test_huge_text_fields_are_refused_as_json(api, media_root, field):
    assert_json_error(post(api, plain_jpeg(), **{**at(AUSTIN), field: "A" * 3_000_000}))
    assert_nothing_written(media_root)


def test_slightly_too_long_text_fields_name_the_field(api, media_root):
    for field, size in (("notes", 2001), ("venue_name", 121), ("languages", 41)):
        body = assert_json_error(post(api, plain_jpeg(), **{**at(AUSTIN), field: "A" * size}), 400)
        assert body["field"].split(".")[0] == field
    body = assert_json_error(post(api, plain_jpeg(), **at(AUSTIN), languages=[f"l{n}" for n in range(13)]), 400)
    assert body["field"] == "languages"
    assert_nothing_written(media_root)


def test_a_photo_sent_as_a_text_field_is_no_photo(api, media_root):
    data = {"venue_type": "truck_stop", "sign_status": "posted", **at(AUSTIN), "photos": "not-a-file"}
    body = assert_json_error(api.post("/api/observations/", data, format="multipart"), 400)
    assert body["field"] == "photos"
    assert_nothing_written(media_root)


@pytest.mark.parametrize("field", ["lat", "notes", "venue_type", "sign_status", "languages", "observed_on"])
def test_a_text_field_sent_as_a_file_is_refused(api, media_root, field):
    data = {
        "venue_type": "truck_stop",
        "sign_status": "posted",
        **at(AUSTIN),
        field: SimpleUploadedFile("value.txt", b"30.2672", content_type="text/plain"),
        "photos": [SimpleUploadedFile("a.jpg", plain_jpeg())],
    }
    body = assert_json_error(api.post("/api/observations/", data, format="multipart"), 400)
    assert body["field"].split(".")[0] == field
    assert_nothing_written(media_root)


def test_a_body_that_is_not_multipart_at_all_is_json_400(api, media_root):
    boundary = "----x"
    broken = f'--{boundary}\r\nContent-Disposition: form-data; name="lat"\r\n\r\n30'.encode()  # never closed
    for content_type, body in (
        (f"multipart/form-data; boundary={boundary}", broken),
        ("multipart/form-data", b"no boundary given"),
        ("application/json", b'{"lat": 30}'),
        ("text/html", b"<html></html>"),
    ):
        response = api.generic("POST", "/api/observations/", body, content_type=content_type)
        assert_json_error(response)
    assert_nothing_written(media_root)


# --- content is what counts, never the name or the declared type ---


@pytest.mark.parametrize(
    ("content", "declared"),
    [
        (lambda: plain_jpeg(), "image/png"),
        (lambda: images.png(images.photo_like(320, 240, seed=2)), "image/jpeg"),
        (lambda: plain_jpeg(), "text/html"),
    ],
    ids=["jpeg-as-png", "png-as-jpeg", "jpeg-as-html"],
)
def test_a_lying_content_type_does_not_matter_for_a_real_photo(api, content, declared):
    response = send(api, [SimpleUploadedFile("sign.png", content(), content_type=declared)])
    assert_clean_rgb_jpeg(stored_photo(response))


def test_html_declared_as_jpeg_is_refused(api, media_root):
    files = [SimpleUploadedFile("sign.jpg", images.html_named_jpg(), content_type="image/jpeg")]
    assert assert_json_error(send(api, files), 415)["code"] == "unsupported_media_type"
    assert_nothing_written(media_root)


@pytest.mark.parametrize("make", [images.zip_archive, images.pdf, images.gif, images.svg])
def test_other_formats_declared_as_jpeg_are_refused(api, media_root, make):
    files = [SimpleUploadedFile("sign.jpg", make(), content_type="image/jpeg")]
    assert assert_json_error(send(api, files), 415)["code"] == "unsupported_media_type"
    assert_nothing_written(media_root)


# --- polyglots: a photo carrying something else ---

HTML_TAIL = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize("tail", [HTML_TAIL, images.zip_archive()], ids=["html", "zip"])
def test_polyglot_photo_is_stored_without_its_payload(api, tail):
    data = stored_photo(post(api, plain_jpeg(9) + tail, **at(AUSTIN)))
    assert_clean_rgb_jpeg(data)
    assert b"<script" not in data and b"PK\x03\x04" not in data and b"sign.jpg" not in data
    assert data.rstrip(b"\x00").endswith(b"\xff\xd9")


def test_html_hidden_in_a_jpeg_comment_is_not_stored(api):
    data = stored_photo(post(api, images.jpeg(images.photo_like(320, 240, seed=4), comment=HTML_TAIL), **at(AUSTIN)))
    assert b"<script" not in data


# --- the pixel-mode zoo: all stored as baseline RGB JPEG ---


def _ycck_jpeg() -> bytes:
    """A CMYK JPEG whose Adobe segment says YCCK (transform 2), as Photoshop writes some."""
    data = images.jpeg(images.photo_like(320, 240, seed=5).convert("CMYK"))
    start = data.index(b"\xff\xee")
    length = struct.unpack(">H", data[start + 2 : start + 4])[0]
    assert data[start + 4 : start + 9] == b"Adobe"
    transform = start + 2 + length - 1
    return data[:transform] + b"\x02" + data[transform + 1 :]


def _png_16bit() -> bytes:
    grey = images.photo_like(320, 240, seed=6).convert("L")
    wide = Image.frombytes("I;16", grey.size, b"".join(struct.pack("<H", v * 257) for v in grey.tobytes()))
    return images.png(wide)


def _palette_png_with_transparency() -> bytes:
    picture = images.photo_like(320, 240, seed=7).convert("P", palette=Image.Palette.ADAPTIVE)
    return images.png(picture, transparency=0)


def _rgba_png() -> bytes:
    picture = images.photo_like(320, 240, seed=8).convert("RGBA")
    picture.putalpha(Image.linear_gradient("L").resize(picture.size))
    return images.png(picture)


@pytest.mark.parametrize(
    "make",
    [
        lambda: images.jpeg(images.photo_like(320, 240, seed=5).convert("CMYK")),
        _ycck_jpeg,
        lambda: images.jpeg(images.photo_like(320, 240, seed=5).convert("L")),
        lambda: images.jpeg(images.photo_like(320, 240, seed=5), progressive=True),
        _png_16bit,
        _palette_png_with_transparency,
        _rgba_png,
        lambda: images.png(images.photo_like(320, 240, seed=9).convert("1")),
        lambda: images.png(images.photo_like(320, 240, seed=9).convert("LA")),
    ],
    ids=["cmyk", "ycck", "grey", "progressive", "png16", "palette-transparent", "rgba", "bilevel", "grey-alpha"],
)
def test_every_pixel_mode_is_stored_as_rgb_jpeg(api, make):
    assert_clean_rgb_jpeg(stored_photo(post(api, make(), **at(AUSTIN))))


def test_16_bit_png_keeps_its_greys(api):
    data = stored_photo(post(api, _png_16bit(), **at(AUSTIN)))
    extrema = Image.open(io.BytesIO(data)).convert("L").getextrema()
    assert extrema[0] < 128 < extrema[1]  # not clipped to white


# --- text-chunk bombs and hostile XMP ---


def _compressed_zeros(megabytes: int) -> bytes:
    compressor = zlib.compressobj(9)
    block = b"\x00" * (1024 * 1024)
    return b"".join(compressor.compress(block) for _ in range(megabytes)) + compressor.flush()


def _png_with_chunk(kind: bytes, payload: bytes) -> bytes:
    data = images.png(images.photo_like(320, 240, seed=10))
    end = data.index(b"IHDR") + 4 + 13 + 4  # after IHDR's payload and CRC
    return data[:end] + images.png_chunk(kind, payload) + data[end:]


@pytest.mark.parametrize(
    "chunk",
    [
        lambda bomb: (b"zTXt", b"Comment\x00\x00" + bomb),
        lambda bomb: (b"iTXt", b"Description\x00\x01\x00en\x00Description\x00" + bomb),
    ],
    ids=["zTXt", "iTXt"],
)
def test_png_text_chunk_bomb_is_handled_quickly_and_never_stored(api, media_root, chunk):
    bomb = _compressed_zeros(256)  # 256 MiB of text once inflated, about 250 KB on the wire
    upload = _png_with_chunk(*chunk(bomb))
    started = time.monotonic()
    response = post(api, upload, **at(AUSTIN))
    assert time.monotonic() - started < 10
    if response.status_code == 201:
        data = stored_photo(response)
        assert_clean_rgb_jpeg(data)
        assert b"\x00" * 1000 not in data[: data.index(b"\xff\xda")]  # headers hold no text
    else:
        assert_json_error(response, 400)
        assert_nothing_written(media_root)


BILLION_LAUGHS = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "lollollollollol">'
    + b"".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">'.encode() for n in range(9))
    + b']><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="&j;">&xxe;&j;'
    b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def test_hostile_xmp_is_stripped_without_expanding_entities(api):
    upload = images.jpeg(
        images.photo_like(320, 240, seed=11),
        segments=(images.segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + BILLION_LAUGHS),),
    )
    started = time.monotonic()
    data = stored_photo(post(api, upload, **at(AUSTIN)))
    assert time.monotonic() - started < 5
    assert_clean_rgb_jpeg(data)
    for text in (b"ENTITY", b"lollol", b"xmpmeta", b"passwd", b"root:"):
        assert text not in data


def test_hostile_xmp_in_webp_is_stripped(api):
    buffer = io.BytesIO()
    images.photo_like(320, 240, seed=12).save(buffer, "WEBP", quality=80, xmp=BILLION_LAUGHS)
    data = stored_photo(post(api, buffer.getvalue(), **at(AUSTIN)))
    assert b"ENTITY" not in data and b"lollol" not in data


# --- coordinates and accuracy ---


@pytest.mark.parametrize(
    "fields",
    [
        {"lat": "NaN"},
        {"lat": "nan"},
        {"lat": "Infinity"},
        {"lon": "-Infinity"},
        {"lat": "inf"},
        {"lat": "1e309"},
        {"lon": "-1e309"},
        {"lat": "38,5"},
        {"lat": "38°53'N"},
        {"lat": "38 53 N"},
        {"lat": "0x1e"},
        {"lat": ""},
        {"lat": "30.2672\x00"},
        {"lat": "-90.0000001"},
        {"lon": "180.5"},
        {"accuracy_m": "-5"},
        {"accuracy_m": "1e9"},
        {"accuracy_m": "NaN"},
        {"accuracy_m": "Infinity"},
        {"accuracy_m": "1e309"},
    ],
)
def test_bad_coordinates_are_400_naming_the_field(api, media_root, fields):
    body = assert_json_error(post(api, plain_jpeg(), **{**at(AUSTIN), **fields}), 400)
    assert body["field"] == next(iter(fields))
    assert_nothing_written(media_root)


# --- mass assignment ---


def _approved_venue(api, moderator_api, point=AUSTIN, status="posted") -> Venue:
    body = post(api, plain_jpeg(41), sign_status=status, **at(point)).json()
    moderator_api.post(f"/api/moderation/observations/{body['id']}/", {"action": "approve"}, format="json")
    return Observation.objects.get(public_id=body["id"]).venue


def test_an_anonymous_client_cannot_set_status_flags_submitter_or_venue_fields(api, moderator_api, moderator):
    other = _approved_venue(api, moderator_api)
    assert other.current_status == "posted"
    response = post(
        api,
        plain_jpeg(42),
        lat=AUSTIN[0] + 0.02,
        lon=AUSTIN[1],
        sign_status="missing",
        review_status="approved",
        review_reason="looks good",
        published_at="2024-01-01T00:00:00Z",
        flags=["duplicate_photo"],
        submitter=moderator.pk,
        receipt="chosen-receipt",
        public_id="00000000-0000-0000-0000-000000000001",
        captured_at="2020-01-01T00:00:00Z",
        location_source="exif",
        current_status="missing",
        status_observed_on="2020-01-01",
        venue=other.pk,
        name="Renamed",
        latitude=10,
        jurisdiction="CA",
    )
    if response.status_code != 201:
        # location_source=exif is not the client's to claim: refused outright is as good as ignored.
        assert assert_json_error(response, 400)["field"] == "location_source"
        response = post(
            api,
            plain_jpeg(42),
            lat=AUSTIN[0] + 0.02,
            lon=AUSTIN[1],
            sign_status="missing",
            review_status="approved",
            flags=["duplicate_photo"],
            submitter=moderator.pk,
            receipt="chosen-receipt",
            current_status="missing",
            venue=other.pk,
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["review_status"] == "pending" and body["receipt"] != "chosen-receipt"
    observation = Observation.objects.get(public_id=body["id"])
    assert observation.review_status == "pending" and observation.published_at is None
    assert observation.submitter is None and observation.flags == [] and observation.venue != other
    assert str(observation.public_id) != "00000000-0000-0000-0000-000000000001"
    other.refresh_from_db()
    assert (other.current_status, other.name, other.jurisdiction.code) == ("posted", "", "TX")


# --- IDOR: ids, receipts, photos ---


def test_moderation_by_a_non_moderator_is_403_and_changes_nothing(api, volunteer):
    body = post(api, plain_jpeg(), **at(AUSTIN)).json()
    signed_in = APIClient()
    signed_in.force_authenticate(volunteer)
    for client in (APIClient(), signed_in):
        response = client.post(f"/api/moderation/observations/{body['id']}/", {"action": "approve"}, format="json")
        assert_json_error(response, 403)
        assert_json_error(client.get("/api/moderation/queue/"), 403)
    assert Observation.objects.get(public_id=body["id"]).review_status == "pending"


@pytest.mark.parametrize(
    "path",
    [
        "/api/moderation/observations/00000000-0000-0000-0000-000000000000/",
        "/api/moderation/observations/1/",
        "/api/moderation/observations/../../admin/",
    ],
)
def test_moderating_an_unknown_id_is_json_404(moderator_api, path):
    assert_json_error(moderator_api.post(path, {"action": "approve"}, format="json"), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"action": "publish"},
        {"action": ["approve"]},
        {"action": {"$ne": None}},
        {"action": "reject"},
        {"action": "reject", "reason": "   "},
        {"action": "reject", "reason": "x" * 1001},
        {},
    ],
)
def test_bad_moderation_bodies_are_400_and_leave_it_pending(api, moderator_api, body):
    public_id = post(api, plain_jpeg(), **at(AUSTIN)).json()["id"]
    assert_json_error(moderator_api.post(f"/api/moderation/observations/{public_id}/", body, format="json"), 400)
    assert Observation.objects.get(public_id=public_id).review_status == "pending"


def test_malformed_json_to_moderation_is_400(api, moderator_api):
    public_id = post(api, plain_jpeg(), **at(AUSTIN)).json()["id"]
    for raw in (b"{not json", b"\xff\xfe", b"[]", b"null", b'"approve"'):
        response = moderator_api.generic(
            "POST", f"/api/moderation/observations/{public_id}/", raw, content_type="application/json"
        )
        assert_json_error(response, 400)
    assert Observation.objects.get(public_id=public_id).review_status == "pending"


def test_guessed_receipts_are_404(api):
    receipt = post(api, plain_jpeg(), **at(AUSTIN)).json()["receipt"]
    # A NUL byte is refused earlier, with 400: see test_nul_bytes_in_api_addresses_are_json_4xx.
    for guess in (receipt[:-1], receipt.upper(), receipt + "A", "1", "' OR 1=1 --", "..%2f..%2fetc"):
        assert_json_error(api.get(f"/api/observations/receipt/{guess}/"), 404)


def test_photo_of_a_pending_or_rejected_observation_is_404_to_the_public(api, moderator, moderator_api, volunteer):
    body = post(api, plain_jpeg(), **at(AUSTIN)).json()
    photo = Photo.objects.get(observation__public_id=body["id"])
    signed_in, moderating = APIClient(), APIClient()
    signed_in.force_login(volunteer)  # photo files are plain Django views: a session, not DRF's force_authenticate
    moderating.force_login(moderator)
    paths = (f"/photos/{photo.public_id}.jpg", f"/photos/{photo.public_id}/thumb.jpg")
    for client in (api, signed_in):
        for path in paths:
            assert client.get(path).status_code == 404
    assert moderating.get(paths[0]).status_code == 200
    moderator_api.post(f"/api/moderation/observations/{body['id']}/", {"action": "reject", "reason": "no"})
    for path in paths:
        assert api.get(path).status_code == 404


# --- stored XSS through every text field shown anywhere ---


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_text_fields_are_escaped_on_every_page(api, moderator, moderator_api, payload):
    pending = post(api, plain_jpeg(51), venue_name=payload, notes=payload, languages=[payload], **at(AUSTIN)).json()
    shown = post(
        api,
        plain_jpeg(52),
        venue_name=payload,
        notes=payload,
        languages=[payload, "Spanish"],
        sign_status="deficient",
        deficiencies=["too_small"],
        lat=AUSTIN[0] + 0.05,
        lon=AUSTIN[1],
    ).json()
    moderator_api.post(f"/api/moderation/observations/{shown['id']}/", {"action": "approve"}, format="json")
    venue = Observation.objects.get(public_id=shown["id"]).venue
    assert venue.name == payload  # stored as sent; escaping is the output's job
    page_client = APIClient()
    page_client.force_login(moderator)
    pages = {
        "/": api,
        "/j/TX/": api,
        f"/v/{venue.public_id}/": api,
        "/reports/TX/": api,
        f"/r/{shown['receipt']}/": api,
        f"/r/{pending['receipt']}/": api,
        "/moderate/": page_client,
    }
    for path, client in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert payload.encode() not in response.content, path
        assert b"<img src=x" not in response.content and b"<script>alert" not in response.content, path
    for path in (f"/api/venues/{venue.public_id}/", "/api/map/?bbox=-98,30,-97,31&zoom=16", "/api/moderation/queue/"):
        response = (moderator_api if "moderation" in path else api).get(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(("application/json", "application/geo+json")), path


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_letter_text_is_escaped_on_the_letter_pages(advocate_api, payload):
    response = advocate_api.post(
        "/api/letters/", {"jurisdiction": "TX", "kind": "custom", "message": payload}, format="json"
    )
    assert response.status_code == 201, response.content
    letter = response.json()["id"]
    advocate_api.patch(f"/api/letters/{letter}/", {"notes": payload}, format="json")
    page_client = APIClient()
    page_client.force_login(User.objects.get(username="advocate"))
    for path in (f"/letters/{letter}/", "/letters/", "/j/TX/"):
        page = page_client.get(path)
        assert page.status_code == 200, path
        assert payload.encode() not in page.content, path


# --- file names ---


@pytest.mark.parametrize("name", ["../../etc/passwd.jpg", "C:\\x.jpg", "..\\..\\boot.ini.jpg", "/etc/shadow.jpg"])
def test_path_like_file_names_are_stored_under_random_names(api, media_root, name):
    response = send(api, [SimpleUploadedFile(name, plain_jpeg(), content_type="image/jpeg")])
    assert response.status_code == 201, response.content
    files = stored_files(media_root)
    assert len(files) == 2
    for path in files:
        assert path.resolve().is_relative_to(media_root.resolve())
        for part in ("passwd", "shadow", "boot", "x.jpg", "etc"):
            assert part not in str(path.relative_to(media_root))
    assert not (media_root.parent / "etc").exists()
    photo = Photo.objects.get()
    assert "passwd" not in photo.image.name and ".." not in photo.image.name


# --- letters ---


@pytest.mark.parametrize(
    "body",
    [
        {"jurisdiction": "TXX", "kind": "enforcement"},
        {"jurisdiction": "../", "kind": "enforcement"},
        {"jurisdiction": "ZZ", "kind": "enforcement"},
        {"jurisdiction": ["TX"], "kind": "enforcement"},
        {"jurisdiction": "TX", "kind": "threat"},
        {"jurisdiction": "TX", "kind": "enforcement", "message": "only custom letters take one"},
        {"jurisdiction": "TX", "kind": "custom", "message": "x" * 5001},
        {"jurisdiction": None, "kind": None},
        {},
    ],
)
def test_bad_letter_requests_are_400(advocate_api, body):
    assert_json_error(advocate_api.post("/api/letters/", body, format="json"), 400)
    assert Letter.objects.count() == 0


def test_letters_cannot_be_written_or_changed_by_others(api, advocate_api, volunteer):
    signed_in = APIClient()
    signed_in.force_authenticate(volunteer)
    for client in (api, signed_in):
        assert_json_error(client.post("/api/letters/", {"jurisdiction": "TX", "kind": "custom"}, format="json"), 403)
    letter = advocate_api.post("/api/letters/", {"jurisdiction": "TX", "kind": "custom"}, format="json").json()["id"]
    for client in (api, signed_in):
        assert_json_error(client.patch(f"/api/letters/{letter}/", {"outreach_status": "sent"}, format="json"), 404)
        assert_json_error(client.get(f"/api/letters/{letter}/"), 404)
    assert Letter.objects.get().outreach_status == "draft"


@pytest.mark.parametrize(
    "body",
    [
        {"body": "rewritten"},
        {"figures": {}},
        {"outreach_status": "won"},
        {"sent_on": "2999-01-01"},
        {"sent_on": "yesterday"},
        {"notes": "x" * 5001},
        {"sent_on": "2024-02-01", "answered_on": "2024-01-01"},
        {},
    ],
)
def test_bad_letter_changes_are_400_and_change_nothing(advocate_api, body):
    letter = advocate_api.post("/api/letters/", {"jurisdiction": "TX", "kind": "custom"}, format="json").json()
    response = advocate_api.patch(f"/api/letters/{letter['id']}/", body, format="json")
    assert_json_error(response, 400)
    stored = Letter.objects.get()
    assert stored.body == letter["body"] and stored.outreach_status == "draft" and stored.notes == ""


def test_malformed_letter_bodies_are_400(advocate_api):
    letter = advocate_api.post("/api/letters/", {"jurisdiction": "TX", "kind": "custom"}, format="json").json()["id"]
    for raw in (b"{not json", b"\xff\xfe", b"[1, 2]", b"null"):
        assert_json_error(advocate_api.generic("POST", "/api/letters/", raw, content_type="application/json"), 400)
        response = advocate_api.generic("PATCH", f"/api/letters/{letter}/", raw, content_type="application/json")
        assert_json_error(response, 400)
    assert_json_error(advocate_api.patch("/api/letters/not-a-uuid/", {"notes": "x"}, format="json"), 404)
    assert Letter.objects.count() == 1


# --- NUL bytes: PostgreSQL refuses them in text, so they must never reach a query ---


@pytest.mark.parametrize(
    "address",
    [
        "/api/observations/receipt/abc%00def/",
        "/api/jurisdictions/T%00X/",
        "/api/map/?bbox=-98,30,-97,31&zoom=14&venue_type=truck%00stop",
        "/api/laws/?jurisdiction=T%00X",
        "/api/venues/nearby/?lat=30.2&lon=-97.7&venue_type=a%00b",
    ],
)
def test_nul_bytes_in_api_addresses_are_json_4xx(api, address):
    response = api.get(address)
    assert 400 <= response.status_code < 500
    assert response.json()["code"]


@pytest.mark.parametrize("address", ["/r/abc%00def/", "/j/T%00X/", "/signs/TX/?venue_type=a%00b", "/reports/T%00X/"])
def test_nul_bytes_in_page_addresses_are_4xx(client, db, address):
    assert 400 <= client.get(address).status_code < 500


def test_nul_byte_in_a_posted_venue_type_is_a_400_naming_the_field(api, media_root):
    response = post(api, plain_jpeg(), **at(AUSTIN), venue_type="truck\x00stop")
    assert response.status_code == 400
    assert response.json()["field"] == "venue_type"
    assert Observation.objects.count() == 0
