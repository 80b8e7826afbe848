"""Idempotency-Key as an attacker would try it: a key is bound to its own request, so nobody reads another's receipt."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from compliance import photos
from compliance.models import Observation, SignStatus, Venue
from tests import images

AUSTIN = (30.2672, -97.7431)
KEY = "0b9c4e0e-5d0a-4c39-a0a4-3f9b5d1c2e77"


def send(client: APIClient, *, seed: int, key: str = KEY, **fields):
    data = {
        "venue_type": "truck_stop",
        "sign_status": "posted",
        "lat": AUSTIN[0],
        "lon": AUSTIN[1],
        **fields,
        "photos": [SimpleUploadedFile("IMG_0001.jpg", images.jpeg(images.photo_like(640, 480, seed=seed)))],
    }
    return client.post("/api/observations/", data, format="multipart", headers={"Idempotency-Key": key})


def test_a_resend_of_the_same_request_answers_the_first_result(db):
    phone = APIClient()
    first = send(phone, seed=1)
    again = send(phone, seed=1)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Observation.objects.count() == 1


def test_another_client_reusing_a_key_gets_409_and_nothing_of_the_first_report(db):
    victim = send(APIClient(), seed=1, notes="Sign behind the counter").json()
    attempts = [
        send(APIClient(), seed=2),  # another photo
        send(APIClient(), seed=1, notes="Something else"),  # same photo, another field
        send(APIClient(), seed=1, sign_status="missing"),
    ]
    for attempt in attempts:
        assert attempt.status_code == 409
        body = attempt.json()
        assert body["code"] == "idempotency_key_reused" and body["detail"]
        text = attempt.content.decode()
        assert victim["receipt"] not in text and victim["id"] not in text
        assert attempt["Cache-Control"].startswith("max-age=0") and "no-store" in attempt["Cache-Control"]
    assert Observation.objects.count() == 1


def test_keys_of_different_accounts_never_meet(db):
    volunteer = APIClient()
    volunteer.force_authenticate(User.objects.create_user("volunteer-k"))
    theirs = send(volunteer, seed=1).json()
    anonymous = send(APIClient(), seed=1)  # the very same request, from outside the account
    assert anonymous.status_code == 201
    assert anonymous.json()["id"] != theirs["id"] and anonymous.json()["receipt"] != theirs["receipt"]
    assert Observation.objects.count() == 2


def test_a_resend_is_answered_before_any_photo_is_decoded(db, monkeypatch):
    phone = APIClient()
    first = send(phone, seed=1).json()

    def no_decoding(*args, **kwargs):
        raise AssertionError("a resend decoded a photo")

    monkeypatch.setattr(photos, "process", no_decoding)
    again = send(phone, seed=1)
    assert again.status_code == 201 and again.json()["receipt"] == first["receipt"]


def test_a_resend_is_answered_from_one_query_naming_its_venue_once_public(db):
    phone = APIClient()
    first = send(phone, seed=1).json()
    assert first["venue_id"] is None  # not on the map yet
    with CaptureQueriesContext(connection) as queries:
        again = send(phone, seed=1)
    assert again.status_code == 201 and again.json() == first
    assert len(queries) == 1, [query["sql"] for query in queries]

    venue = Observation.objects.get(receipt=first["receipt"]).venue
    Venue.objects.filter(pk=venue.pk).update(current_status=SignStatus.POSTED)
    with CaptureQueriesContext(connection) as queries:
        public = send(phone, seed=1).json()
    assert public == {**first, "venue_id": str(venue.public_id)}
    assert len(queries) == 1, [query["sql"] for query in queries]


@pytest.mark.parametrize("fields", [{"lat": 31.0}, {"venue_type": "hotel_motel"}, {"languages": ["es"]}])
def test_a_key_reused_with_a_different_body_is_refused_even_by_the_same_phone(db, fields):
    phone = APIClient()
    assert send(phone, seed=1).status_code == 201
    reused = send(phone, seed=1, **fields)
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"


def _raw_post(client: APIClient, body: bytes, boundary: str, key: str = KEY):
    return client.generic(
        "POST",
        "/api/observations/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Idempotency-Key": key},
    )


def test_a_resend_drawn_with_a_new_boundary_is_the_same_report_and_is_not_parsed(db, monkeypatch):
    """Browsers draw a new multipart boundary for every send of the same form: the key still finds the report."""
    from django.http.multipartparser import MultiPartParser
    from django.test.client import encode_multipart

    fields = {
        "venue_type": "truck_stop",
        "sign_status": "posted",
        "lat": str(AUSTIN[0]),
        "lon": str(AUSTIN[1]),
        "photos": [SimpleUploadedFile("IMG_0001.jpg", images.jpeg(images.photo_like(640, 480, seed=3)))],
    }
    first_boundary, second_boundary = "----WebKitFormBoundaryA1b2C3d4E5f6G7h8", "----WebKitFormBoundaryZ9y8X7w6V5u4T3s2"
    first = _raw_post(APIClient(), encode_multipart(first_boundary, fields), first_boundary)
    assert first.status_code == 201, first.json()

    parsed = []
    original_parse = MultiPartParser.parse
    monkeypatch.setattr(MultiPartParser, "parse", lambda self: parsed.append(1) or original_parse(self))
    fields["photos"][0].seek(0)
    again = _raw_post(APIClient(), encode_multipart(second_boundary, fields), second_boundary)
    assert again.status_code == 201 and again.json() == first.json()
    assert parsed == []  # answered from the key and a digest of the drained body
    assert Observation.objects.count() == 1

    fields["photos"][0].seek(0)
    fields["notes"] = "changed"
    other = _raw_post(APIClient(), encode_multipart(second_boundary, fields), second_boundary)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert Observation.objects.count() == 1
