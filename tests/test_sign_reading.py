"""Each stored photo is read by OCR after intake; moderators see the reading; it never decides on its own.

Real OCR runs are slow (about a second each), so this file reads only a handful of generated photos; the full
labelled evaluation is benchmarks/sign_reading.py.
"""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command

from compliance.models import Observation, SignReading
from tests import sign_photos
from tests.test_observations import at, post

MIAMI = (25.7617, -80.1918)
AUSTIN = (30.2672, -97.7431)


def sign_jpeg(sign, seed: int = 1, **effects) -> bytes:
    return sign_photos.to_jpeg(sign_photos.photograph(sign, random.Random(seed), **effects))


@pytest.fixture
def reading_on(settings):
    settings.SIGN_READING = True


def submit(api, jpeg: bytes, point=AUSTIN, **fields) -> Observation:
    response = post(api, jpeg, **at(point), **fields)
    assert response.status_code == 201, response.json()
    return Observation.objects.get(public_id=response.json()["id"])


def test_an_uploaded_photo_is_read_once_the_submission_commits(
    api, moderator_api, reading_on, django_capture_on_commit_callbacks
):
    photo = sign_jpeg(sign_photos.english_sign("(888) 373-7888"), tilt=0.2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        observation = submit(api, photo)
    # Not read inside the request's transaction: only once it has committed.
    assert not SignReading.objects.exists()
    for callback in callbacks:
        callback()
    reading = SignReading.objects.get(photo__observation=observation)
    assert reading.hotline_found and reading.text_line_found
    assert reading.outcome == "found"
    assert reading.languages == ["English"]
    assert "233733" in reading.text
    assert reading.engine == "rapidocr-onnxruntime" and reading.engine_version.startswith("1.4")
    assert {finding["kind"] for finding in reading.findings} == {"national_hotline", "text_line"}
    assert all(0 < finding["confidence"] <= 1 for finding in reading.findings)
    assert reading.suggested_deficiencies == ["missing_language"]  # Texas law asks for English and Spanish

    [item] = moderator_api.get("/api/moderation/queue/").json()
    summary = item["sign_reading"]
    assert summary["status"] == "read"
    assert summary["hotline_found"] is True and summary["text_line_found"] is True
    assert {"kind": "national_hotline", "value": "1-888-373-7888"}.items() <= summary["numbers"][0].items()
    assert "HELP" in summary["text"]
    highlights = item["photos"][0]["sign_reading"]["highlights"]
    assert {highlight["kind"] for highlight in highlights} == {"national_hotline", "text_line"}
    for highlight in highlights:
        assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in highlight["box"])
    # The reading never moderates: the report waits for a person.
    observation.refresh_from_db()
    assert observation.review_status == "pending"


def test_a_florida_sign_shows_the_state_hotline_and_a_wrong_number_is_suggested(
    api, moderator_api, reading_on, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        florida = submit(api, sign_jpeg(sign_photos.florida_sign(), scale=0.6), point=MIAMI)
        wrong = submit(api, sign_jpeg(sign_photos.english_sign("1-888-337-7888", text_line=False), seed=2))
    florida_reading = SignReading.objects.get(photo__observation=florida)
    assert florida_reading.state_hotline_found is True
    assert florida_reading.hotline_found is False
    assert florida_reading.outcome == "found"
    assert set(florida_reading.languages) == {"English", "Spanish"}

    wrong_reading = SignReading.objects.get(photo__observation=wrong)
    assert not wrong_reading.hotline_found
    assert wrong_reading.state_hotline_found is None  # Texas names no hotline of its own
    [finding] = [f for f in wrong_reading.findings if f["kind"] == "other_number"]
    assert finding["value"] == "1-888-337-7888"
    assert finding["note"] == "looks like a mistyped national hotline number"
    assert wrong_reading.suggested_deficiencies == ["wrong_number", "missing_language"]

    queue = {item["id"]: item for item in moderator_api.get("/api/moderation/queue/").json()}
    assert queue[str(wrong.public_id)]["sign_reading"]["suggested_deficiencies"] == ["wrong_number", "missing_language"]
    assert queue[str(florida.public_id)]["sign_reading"]["state_hotline_found"] is True


def test_a_blank_wall_is_unreadable_and_suggests_nothing(api, reading_on, django_capture_on_commit_callbacks):
    wall = sign_photos.to_jpeg(sign_photos._wall(random.Random(3)))
    with django_capture_on_commit_callbacks(execute=True):
        observation = submit(api, wall, sign_status="missing")
    reading = SignReading.objects.get(photo__observation=observation)
    assert reading.outcome == "unreadable"
    assert not reading.hotline_found and not reading.findings and reading.suggested_deficiencies == []


def test_with_sign_reading_off_nothing_is_read_and_the_queue_says_pending(
    api, moderator_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(api, sign_jpeg(sign_photos.english_sign("1-888-373-7888")))
    assert not SignReading.objects.exists()
    [item] = moderator_api.get("/api/moderation/queue/").json()
    assert item["sign_reading"]["status"] == "pending"
    assert item["sign_reading"]["hotline_found"] is None
    assert item["photos"][0]["sign_reading"] is None


def test_read_signs_reads_photos_stored_before(api, django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks(execute=True):
        observation = submit(api, sign_jpeg(sign_photos.spanish_sign("1.888.373.7888"), seed=4, blur=1.0))
    call_command("read_signs")
    assert "Read 1 photos, queued 0, could not read 0." in capsys.readouterr().out
    reading = SignReading.objects.get(photo__observation=observation)
    assert reading.hotline_found and reading.languages == ["Spanish"]
    call_command("read_signs")  # already read: nothing to do
    assert "Read 0 photos" in capsys.readouterr().out


def test_moderator_confirms_the_deficiencies_on_approval(api, moderator_api):
    observation = submit(api, sign_jpeg(sign_photos.english_sign("1-888-337-7888")))
    response = moderator_api.post(
        f"/api/moderation/observations/{observation.public_id}/",
        {"action": "approve", "deficiencies": ["wrong_number"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    observation.refresh_from_db()
    assert observation.sign_status == "deficient"
    assert observation.deficiencies == ["wrong_number"]
    assert observation.venue.current_status == "deficient"


def test_confirmed_deficiencies_must_be_known_ones(api, moderator_api):
    observation = submit(api, sign_jpeg(sign_photos.english_sign("1-888-373-7888")))
    response = moderator_api.post(
        f"/api/moderation/observations/{observation.public_id}/",
        {"action": "approve", "deficiencies": ["ugly"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "deficiencies"


def test_admin_lists_readings_and_lets_nobody_edit_them(api, client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-for-tests-only"))
    observation = submit(api, sign_jpeg(sign_photos.english_sign("1-888-373-7888")))
    reading = SignReading.objects.create(
        photo=observation.photos.get(),
        text="Call 1-888-373-7888",
        hotline_found=True,
        engine="rapidocr-onnxruntime",
        engine_version="1.4.4",
        seconds=0.5,
    )
    listing = client.get("/admin/compliance/signreading/", {"q": "373-7888"})
    assert listing.status_code == 200
    assert f"/admin/compliance/signreading/{reading.pk}/change/" in listing.content.decode()
    page = client.get(f"/admin/compliance/signreading/{reading.pk}/change/")
    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()  # shown, not editable
    assert client.post(f"/admin/compliance/signreading/{reading.pk}/change/", {"text": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("code", "numbers", "state_hotline"),
    [("FL", ["1-855-FLA-SAFE"], True), ("CA", ["1-888-539-2373"], False), ("TX", [], False)],
)
def test_what_each_law_asks_of_the_signs_text(db, code, numbers, state_hotline):
    from compliance import tasks
    from compliance.models import Jurisdiction

    asks = tasks.sign_requirements(Jurisdiction.objects.get(code=code).current_law())
    assert [number.written for number in asks.expected] == numbers
    assert asks.state_hotline_required is state_hotline
    assert "Spanish" in asks.required_languages


def test_read_signs_can_hand_the_photos_to_the_workers(api, settings, capsys):
    from django.core.management.base import CommandError
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    observation = submit(api, sign_jpeg(sign_photos.english_sign("1-888-373-7888")))
    call_command("read_signs", "--queue")
    assert "Read 0 photos, queued 1, could not read 0." in capsys.readouterr().out
    [queued] = DBTaskResult.objects.all()
    assert queued.args_kwargs["args"] == [observation.photos.get().pk]
    assert not SignReading.objects.exists()
    with pytest.raises(CommandError, match="--limit"):
        call_command("read_signs", "--limit", "0")
