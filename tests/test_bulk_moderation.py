"""Moderation at scale: a filtered queue, bulk decisions (all or nothing), second opinions and their agreement."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from compliance import moderation, observations, roles
from compliance.models import Observation, Review, SecondOpinion, Venue
from tests.test_compliance_api import add_observation, approved_venue
from tests.test_observations import AUSTIN, DALLAS


@pytest.fixture
def venues(db) -> dict[str, Venue]:
    return {
        "austin_truck_stop": approved_venue("TX", "truck_stop", "posted", *AUSTIN, days_ago=100),
        "dallas_bar": approved_venue("TX", "bar_liquor_licensee", "posted", *DALLAS, days_ago=100),
        "reno_truck_stop": approved_venue("NV", "truck_stop", "posted", 39.5296, -119.8138, days_ago=100),
    }


def pending(venue: Venue, status: str = "missing", **fields) -> Observation:
    return add_observation(venue, status, 1, review_status="pending", **fields)


@pytest.fixture
def second_moderator(db) -> User:
    user = User.objects.create_user("second", password="pw-for-tests-only")
    user.groups.add(roles.moderators_group())
    return user


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def bulk(client, items, action="approve", reason=""):
    return client.post(
        "/api/moderation/bulk/",
        {"ids": [str(item.public_id) for item in items], "action": action, "reason": reason},
        format="json",
    )


def test_bulk_approval_decides_every_item_with_one_reason(moderator_api, moderator, venues):
    items = [pending(venues["austin_truck_stop"]), pending(venues["dallas_bar"]), pending(venues["reno_truck_stop"])]
    response = bulk(moderator_api, items, reason="Clear photos")
    assert response.status_code == 200, response.content
    assert [entry["review_status"] for entry in response.json()["decided"]] == ["approved"] * 3
    assert {entry["venue_status"] for entry in response.json()["decided"]} == {"missing"}
    for item in items:
        item.refresh_from_db()
        assert (item.review_status, item.review_reason, item.venue.current_status) == (
            "approved",
            "Clear photos",
            "missing",
        )
    assert Review.objects.filter(moderator=moderator, reason="Clear photos").count() == 3


def test_a_bulk_action_that_meets_a_conflict_changes_nothing(moderator_api, venues, second_moderator):
    items = [pending(venues["austin_truck_stop"]), pending(venues["dallas_bar"]), pending(venues["reno_truck_stop"])]
    # Another moderator got to the middle one first.
    assert (
        client_for(second_moderator)
        .post(
            f"/api/moderation/observations/{items[1].public_id}/",
            {"action": "reject", "reason": "Blurred"},
            format="json",
        )
        .status_code
        == 200
    )
    response = bulk(moderator_api, items, action="approve", reason="Looks fine")
    assert (response.status_code, response.json()["code"]) == (409, "already_reviewed")
    statuses = [Observation.objects.get(pk=item.pk).review_status for item in items]
    assert statuses == ["pending", "rejected", "pending"]
    assert Review.objects.filter(reason="Looks fine").count() == 0
    assert Venue.objects.get(pk=venues["austin_truck_stop"].pk).current_status == "posted"


def test_flagged_items_are_refused_in_bulk(moderator_api, venues):
    items = [pending(venues["austin_truck_stop"]), pending(venues["dallas_bar"], flags=["duplicate_photo"])]
    response = bulk(moderator_api, items)
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (400, "flagged", "ids")
    assert Observation.objects.filter(pk__in=[i.pk for i in items], review_status="pending").count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": [], "action": "approve"}, "ids"),
        ({"ids": ["not-a-uuid"], "action": "approve"}, "ids.0"),
        ({"ids": ["6f1c1d1e-0000-4000-8000-000000000000"], "action": "approve"}, "ids"),
        ({"ids": ["6f1c1d1e-0000-4000-8000-000000000000"], "action": "maybe"}, "action"),
    ],
)
def test_bad_bulk_requests_are_400(moderator_api, body, field):
    response = moderator_api.post("/api/moderation/bulk/", body, format="json")
    assert (response.status_code, response.json()["field"]) == (400, field)


def test_bulk_rejection_needs_a_reason_and_bulk_needs_a_moderator(api, moderator_api, venues):
    item = pending(venues["austin_truck_stop"])
    response = bulk(moderator_api, [item], action="reject")
    assert (response.status_code, response.json()["field"]) == (400, "reason")
    assert bulk(api, [item], action="approve").status_code == 403
    assert Observation.objects.get(pk=item.pk).review_status == "pending"


def test_the_queue_filters_by_state_venue_type_flag_and_age(moderator_api, venues):
    old = pending(venues["austin_truck_stop"])
    Observation.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
    flagged = pending(venues["dallas_bar"], flags=["stale_capture"])
    nevada = pending(venues["reno_truck_stop"])

    def ids(query: str) -> list[str]:
        response = moderator_api.get(f"/api/moderation/queue/?{query}")
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()]

    assert ids("") == [str(old.public_id), str(flagged.public_id), str(nevada.public_id)]
    assert ids("jurisdiction=nv") == [str(nevada.public_id)]
    assert ids("venue_type=bar_liquor_licensee") == [str(flagged.public_id)]
    assert ids("flag=none") == [str(old.public_id), str(nevada.public_id)]
    assert ids("flag=any") == [str(flagged.public_id)]
    assert ids("flag=stale_capture") == [str(flagged.public_id)]
    assert ids("flag=duplicate_photo") == []
    assert ids("older_than_days=7") == [str(old.public_id)]
    assert ids("jurisdiction=TX&flag=none&limit=1") == [str(old.public_id)]
    for bad in ("flag=purple", "older_than_days=-1", "venue_type=nope", "jurisdiction=Texas", "limit=0"):
        assert moderator_api.get(f"/api/moderation/queue/?{bad}").status_code == 400


def test_a_second_opinion_goes_to_the_other_moderator_and_feeds_the_agreement(
    api, moderator, moderator_api, second_moderator, venues
):
    item = pending(venues["austin_truck_stop"])
    other = pending(venues["dallas_bar"])
    url = f"/api/moderation/observations/{item.public_id}/second-opinion/"
    sent = moderator_api.post(url, {"moderator": "second", "action": "reject", "note": "Is that the right door?"})
    assert sent.status_code == 201, sent.content
    assert sent.json()["assigned_to"] == "second"

    # The sender no longer sees it; the second moderator sees it first, without the sender's call.
    assert [entry["id"] for entry in moderator_api.get("/api/moderation/queue/").json()] == [str(other.public_id)]
    queue = client_for(second_moderator).get("/api/moderation/queue/").json()
    assert queue[0]["id"] == str(item.public_id)
    assert queue[0]["second_opinion"]["requested_by"] == "moderator"
    assert queue[0]["second_opinion"]["note"] == "Is that the right door?"
    assert "reject" not in str(queue[0]["second_opinion"])
    assert queue[1]["second_opinion"] is None

    again = moderator_api.post(url, {"moderator": "second", "action": "approve"})
    assert (again.status_code, again.json()["code"]) == (409, "already_sent")
    assert (
        client_for(second_moderator)
        .post(f"/api/moderation/observations/{item.public_id}/", {"action": "approve"}, format="json")
        .status_code
        == 200
    )
    opinion = SecondOpinion.objects.get(observation=item)
    assert (opinion.requested_action, opinion.answered_action, opinion.answered_by) == (
        "reject",
        "approve",
        second_moderator,
    )
    decided = moderator_api.post(url, {"moderator": "second", "action": "approve"})
    assert (decided.status_code, decided.json()["code"]) == (409, "already_reviewed")
    assert moderation.moderators_agreement().items == 1


@pytest.mark.parametrize(("to", "status"), [("moderator", 400), ("nobody", 400), ("volunteer", 400)])
def test_a_second_opinion_goes_to_another_moderator_only(moderator_api, venues, django_user_model, to, status):
    django_user_model.objects.create_user("volunteer")
    item = pending(venues["austin_truck_stop"])
    response = moderator_api.post(
        f"/api/moderation/observations/{item.public_id}/second-opinion/", {"moderator": to, "action": "approve"}
    )
    assert (response.status_code, response.json()["field"]) == (status, "moderator")


def test_kappa_on_the_method_page_follows_the_items_reviewed_twice(api, moderator, second_moderator, venues):
    # Four items: the two moderators agree on three (two approvals, one rejection) and differ on one.
    # observed 3/4 = 0.75; sender approves 3/4, second approves 2/4; chance 0.75·0.5 + 0.25·0.5 = 0.5;
    # kappa = (0.75 − 0.5) / (1 − 0.5) = 0.50.
    calls = [("approve", "approve"), ("approve", "approve"), ("reject", "reject"), ("approve", "reject")]
    for first, second in calls:
        item = pending(venues["austin_truck_stop"])
        moderation.ask_second_opinion(
            observation=item, requested_by=moderator, assigned_to=second_moderator, action=first
        )
        client_for(second_moderator).post(
            f"/api/moderation/observations/{item.public_id}/", {"action": second, "reason": "checked"}, format="json"
        )
    agreement = moderation.moderators_agreement()
    assert (agreement.items, agreement.kappa) == (4, pytest.approx(0.5))
    page = api.get("/method/").content.decode()
    assert "Reports reviewed twice: 4; the two decisions agreed on 75%; Cohen's kappa 0.50." in " ".join(page.split())


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/moderation/bulk/", {"ids": "not a list", "action": "approve"}),
        ("/api/moderation/bulk/", {"ids": [None], "action": "approve"}),
        ("/api/moderation/bulk/", {"ids": ["\u0000"], "action": "approve"}),
        (
            "/api/moderation/bulk/",
            {"ids": [f"00000000-0000-4000-8000-{n:012d}" for n in range(201)], "action": "approve"},
        ),
        (
            "/api/moderation/bulk/",
            {"ids": ["6f1c1d1e-0000-4000-8000-000000000000"], "action": "reject", "reason": "\u0000"},
        ),
        ("/api/moderation/bulk/", ["not", "an", "object"]),
        ("/api/moderation/venues/00000000-0000-4000-8000-000000000001/settle/", {"reason": "nul \u0000 byte"}),
        ("/api/moderation/venues/00000000-0000-4000-8000-000000000001/settle/", {"reason": ["list"]}),
    ],
)
def test_hostile_moderation_bodies_are_4xx(moderator_api, venues, path, body):
    response = moderator_api.post(path, body, format="json")
    assert 400 <= response.status_code < 500
    assert set(response.json()) >= {"code", "detail", "field"}


@pytest.mark.parametrize(
    "body",
    [
        {"moderator": "nul\u0000name", "action": "approve"},
        {"moderator": "x" * 151, "action": "approve"},
        {"moderator": "second", "action": "perhaps"},
        {"moderator": "second", "action": "approve", "note": "n" * 1001},
    ],
)
def test_hostile_second_opinion_bodies_are_400(moderator_api, venues, second_moderator, body):
    item = pending(venues["austin_truck_stop"])
    response = moderator_api.post(f"/api/moderation/observations/{item.public_id}/second-opinion/", body, format="json")
    assert response.status_code == 400
    assert not SecondOpinion.objects.exists()


def test_hostile_queue_filters_are_400(moderator_api):
    for query in ("jurisdiction=%00%00", "venue_type=%00", "flag=%00", "older_than_days=1e9", "limit=abc"):
        response = moderator_api.get(f"/api/moderation/queue/?{query}")
        assert response.status_code == 400, query


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_bulk_decisions_at_once_one_applies_whole_and_the_other_changes_nothing(
    committed_registry, django_user_model
):
    first, second = (django_user_model.objects.create_user(name) for name in ("first", "second"))
    for user in (first, second):
        user.groups.add(roles.moderators_group())
    venue = approved_venue("TX", "truck_stop", "posted", *AUSTIN, days_ago=100)
    items = [pending(venue) for _ in range(9)]
    chosen = {"first": items[:6], "second": items[3:]}  # three items in common
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(user, action):
        barrier.wait()
        try:
            observations.moderate_many(
                public_ids=[str(item.public_id) for item in chosen[user.username]],
                moderator=user,
                action=action,
                reason="bulk",
            )
            outcomes[user.username] = "applied"
        except observations.ModerationConflict:
            outcomes[user.username] = "conflict"
        except Exception as error:  # recorded so that the assertion shows it
            outcomes[user.username] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=pair) for pair in ((first, "approve"), (second, "reject"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["applied", "conflict"], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "applied")
    decided = {item.pk for item in chosen[winner]}
    statuses = dict(Observation.objects.filter(pk__in=[i.pk for i in items]).values_list("pk", "review_status"))
    expected = "approved" if winner == "first" else "rejected"
    assert {pk: status for pk, status in statuses.items() if pk in decided} == dict.fromkeys(decided, expected)
    assert {status for pk, status in statuses.items() if pk not in decided} == {"pending"}
    assert Review.objects.count() == 6
