"""Moderation: a moderators-only queue, approve / reject with an audit trail, and no double decisions."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from compliance import observations, roles
from compliance.models import Observation, Review
from tests import images
from tests.test_observations import AUSTIN, at, plain_jpeg, post


def submit(api, seed: int = 1, **fields) -> Observation:
    body = post(api, plain_jpeg(seed), **{**at(AUSTIN), **fields}).json()
    return Observation.objects.get(public_id=body["id"])


def test_queue_is_for_moderators_only(api, django_user_model):
    assert api.get("/api/moderation/queue/").status_code == 403
    api.force_authenticate(django_user_model.objects.create_user("someone"))
    assert api.get("/api/moderation/queue/").status_code == 403


def test_queue_lists_pending_oldest_first_with_private_details(api, moderator_api):
    first = submit(api, 1)
    second = submit(api, 2, sign_status="missing")
    queue = moderator_api.get("/api/moderation/queue/").json()
    assert [item["id"] for item in queue] == [str(first.public_id), str(second.public_id)]
    item = queue[0]
    assert item["captured_latitude"] == pytest.approx(AUSTIN[0])
    assert item["photos"][0]["url"].startswith("/photos/")
    assert item["venue_is_new"] is True


def test_approving_sets_the_venues_status_and_records_the_review(api, moderator_api, moderator):
    observation = submit(api, sign_status="deficient", deficiencies=["too_small"])
    response = moderator_api.post(
        f"/api/moderation/observations/{observation.public_id}/", {"action": "approve"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["venue_status"] == "deficient"
    observation.refresh_from_db()
    assert observation.review_status == "approved" and observation.published_at
    assert observation.venue.current_status == "deficient"
    review = Review.objects.get(observation=observation)
    assert (review.moderator, review.action) == (moderator, "approve")


def test_a_second_decision_is_a_conflict(api, moderator_api):
    observation = submit(api)
    url = f"/api/moderation/observations/{observation.public_id}/"
    assert moderator_api.post(url, {"action": "approve"}, format="json").status_code == 200
    again = moderator_api.post(url, {"action": "reject", "reason": "no"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_reviewed"
    assert Review.objects.filter(observation=observation).count() == 1


def test_rejecting_needs_a_reason(api, moderator_api):
    observation = submit(api)
    response = moderator_api.post(
        f"/api/moderation/observations/{observation.public_id}/", {"action": "reject"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "reason"
    observation.refresh_from_db()
    assert observation.review_status == "pending"


def test_newer_approved_observation_decides_the_venue_status(api, moderator):
    older = submit(api, 1, sign_status="posted", observed_on="2025-01-10")
    newer = submit(api, 2, sign_status="missing", observed_on="2025-06-10")
    assert newer.venue == older.venue
    observations.moderate(observation=newer, moderator=moderator, action="approve")
    observations.moderate(observation=older, moderator=moderator, action="approve")
    older.venue.refresh_from_db()
    assert older.venue.current_status == "missing"
    assert str(older.venue.status_observed_on) == "2025-06-10"


@pytest.mark.django_db(transaction=True)
def test_two_moderators_at_once_cannot_both_apply(committed_registry, django_user_model):
    from rest_framework.test import APIClient

    moderators = []
    for name in ("first", "second"):
        user = django_user_model.objects.create_user(name)
        user.groups.add(roles.moderators_group())
        moderators.append(user)
    observation = submit(APIClient())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user, action):
        barrier.wait()
        try:
            observations.moderate(observation=observation, moderator=user, action=action, reason="r")
            outcomes.append("applied")
        except observations.ModerationConflict:
            outcomes.append("conflict")
        except Exception as error:  # recorded so that the assertion shows it
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(user, action))
        for user, action in zip(moderators, ("approve", "reject"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied", "conflict"]
    assert Review.objects.filter(observation=observation).count() == 1


def test_pending_photo_is_hidden_from_the_public_and_shown_to_moderators(api, client, moderator):
    observation = submit(api)
    photo = observation.photos.get()
    assert client.get(f"/photos/{photo.public_id}.jpg").status_code == 404
    client.force_login(moderator)
    response = client.get(f"/photos/{photo.public_id}.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"


def test_approved_photo_and_venue_become_public(api, client, moderator):
    observation = submit(api)
    observations.moderate(observation=observation, moderator=moderator, action="approve")
    photo = observation.photos.get()
    assert client.get(f"/photos/{photo.public_id}/thumb.jpg").status_code == 200
    venue = api.get(f"/api/venues/{observation.venue.public_id}/").json()
    assert venue["current_status"] == "posted"
    assert "captured_latitude" not in venue
    nearby = api.get("/api/venues/nearby/", {"lat": AUSTIN[0], "lon": AUSTIN[1]}).json()
    assert [v["id"] for v in nearby] == [str(observation.venue.public_id)]


def test_venues_not_yet_approved_are_not_public(api):
    observation = submit(api)
    assert api.get(f"/api/venues/{observation.venue.public_id}/").status_code == 404
    assert api.get("/api/venues/nearby/", {"lat": AUSTIN[0], "lon": AUSTIN[1]}).json() == []


def test_moderate_page_needs_a_moderator(client, moderator, django_user_model):
    assert client.get("/moderate/").status_code == 302
    client.force_login(django_user_model.objects.create_user("volunteer"))
    assert client.get("/moderate/").status_code == 403
    client.force_login(moderator)
    assert client.get("/moderate/").status_code == 200


def test_receipt_page_shows_status_and_reason(api, client, moderator):
    observation = submit(api)
    observations.moderate(observation=observation, moderator=moderator, action="reject", reason="Not a <b>sign</b>")
    html = client.get(f"/r/{observation.receipt}/").content.decode()
    assert "Rejected" in html
    assert "Not a &lt;b&gt;sign&lt;/b&gt;" in html


def test_submit_page_says_it_is_not_a_tip_line(client, db):
    html = client.get("/submit/").content.decode()
    assert "not a tip line" in html and "911" in html
    assert 'capture="environment"' in html


def test_unused_image_helpers_stay_importable():
    assert images.AUSTIN


def test_my_reports_page_lists_only_my_reports(api, client, django_user_model):
    me = django_user_model.objects.create_user("me")
    other = django_user_model.objects.create_user("other")
    for user, seed in ((me, 1), (other, 2)):
        api.force_authenticate(user)
        submit(api, seed, venue_name=f"Place of {user.username}")
    client.force_login(me)
    html = client.get("/my/reports/").content.decode()
    mine = Observation.objects.get(submitter=me)
    assert f"/r/{mine.receipt}/" in html
    assert Observation.objects.get(submitter=other).receipt not in html


# --- nobody decides on their own report ---


def own_report(user) -> Observation:
    client = APIClient()
    client.force_authenticate(user)
    return submit(client)


@pytest.mark.parametrize("action", [{"action": "approve"}, {"action": "reject", "reason": "Blurred"}])
def test_a_moderator_cannot_decide_on_their_own_report(moderator, moderator_api, action):
    observation = own_report(moderator)
    answer = moderator_api.post(f"/api/moderation/observations/{observation.public_id}/", action, format="json")
    assert answer.status_code == 403
    assert answer.json()["code"] == "own_report" and "another moderator" in answer.json()["detail"]
    observation.refresh_from_db()
    assert observation.review_status == "pending" and not observation.reviews.exists()


def test_a_superuser_cannot_approve_their_own_report_either(django_user_model):
    boss = django_user_model.objects.create_superuser("boss", password="pw-for-tests-only")
    observation = own_report(boss)
    client = APIClient()
    client.force_authenticate(boss)
    answer = client.post(f"/api/moderation/observations/{observation.public_id}/", {"action": "approve"})
    assert answer.status_code == 403 and answer.json()["code"] == "own_report"


def test_the_queue_says_whose_report_is_not_yours_to_decide(moderator, moderator_api, django_user_model):
    observation = own_report(moderator)
    (item,) = moderator_api.get("/api/moderation/queue/").json()
    assert item["id"] == str(observation.public_id) and item["may_decide"] is False
    colleague = django_user_model.objects.create_user("colleague")
    colleague.groups.add(roles.moderators_group())
    other = APIClient()
    other.force_authenticate(colleague)
    (item,) = other.get("/api/moderation/queue/").json()
    assert item["may_decide"] is True
    assert (
        other.post(f"/api/moderation/observations/{observation.public_id}/", {"action": "approve"}).status_code == 200
    )
