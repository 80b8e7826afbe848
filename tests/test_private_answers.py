"""Answers that carry a receipt, moderation data or a letter are never kept by a cache (Cache-Control: no-store)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests import images


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_receipts_moderation_and_letters_are_never_cached(db, moderator, moderator_api, advocate):
    volunteer_photo = images.jpeg(images.photo_like(640, 480, seed=5))
    data = {"venue_type": "truck_stop", "sign_status": "posted", "lat": 30.2672, "lon": -97.7431}
    created = APIClient().post(
        "/api/observations/", {**data, "photos": [SimpleUploadedFile("a.jpg", volunteer_photo)]}, format="multipart"
    )
    assert created.status_code == 201 and no_store(created)
    receipt = created.json()["receipt"]
    refused = APIClient().post("/api/observations/", data, format="multipart")  # an error answer too
    assert refused.status_code == 400 and no_store(refused)

    public = APIClient()
    page = APIClient()
    page.force_login(moderator)
    writer = APIClient()
    writer.force_login(advocate)
    letter = writer.post("/api/letters/", {"jurisdiction": "TX", "kind": "enforcement"}, format="json")
    assert letter.status_code == 201 and no_store(letter)
    letter_id = letter.json()["id"]
    private = {
        f"/api/observations/receipt/{receipt}/": public,
        f"/r/{receipt}/": public,
        "/api/observations/mine/": page,
        "/my/reports/": page,
        "/api/moderation/queue/": moderator_api,
        "/moderate/": page,
        "/api/letters/": writer,
        f"/api/letters/{letter_id}/": writer,
        "/letters/": writer,
        f"/letters/{letter_id}/": writer,
        f"/letters/{letter_id}.pdf": writer,
        f"/letters/{letter_id}.docx": writer,
    }
    for path, client in private.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert no_store(response), (path, response.get("Cache-Control"))
    decision = moderator_api.post(
        f"/api/moderation/observations/{created.json()['id']}/", {"action": "approve"}, format="json"
    )
    assert decision.status_code == 200 and no_store(decision)
    # Public figures stay cacheable: no-store is for private answers only.
    assert not no_store(public.get("/api/compliance/"))
