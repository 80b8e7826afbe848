"""Trusted volunteers: trust earned and lost, random audits, staff changes on record, and the audit figures."""

from __future__ import annotations

import inspect
import math
import random

import pytest
from django.contrib.auth.models import User

from compliance import moderation, observations, photos, trust
from compliance.models import Observation, VenueType, VolunteerTrust
from tests.test_compliance_api import add_observation, approved_venue
from tests.test_observations import AUSTIN, DALLAS, at, plain_jpeg, post


@pytest.fixture
def volunteer(db) -> User:
    return User.objects.create_user("volunteer", password="pw-for-tests-only")


@pytest.fixture
def volunteer_api(api, volunteer):
    api.force_authenticate(volunteer)
    return api


def report(client, seed: int, point=AUSTIN, **fields) -> dict:
    response = post(client, plain_jpeg(seed), **at(point), **fields)
    assert response.status_code == 201, response.content
    return response.json()


def decide(moderator_api, body: dict, action: str, reason: str = "") -> None:
    response = moderator_api.post(
        f"/api/moderation/observations/{body['id']}/", {"action": action, "reason": reason}, format="json"
    )
    assert response.status_code == 200, response.content


def is_trusted(user: User) -> bool:
    return VolunteerTrust.objects.filter(user=user, trusted=True).exists()


def test_trust_is_earned_after_k_approvals_and_lost_after_a_rejected_audit(
    volunteer_api, volunteer, moderator_api, settings
):
    settings.SIGNWATCH = {**settings.SIGNWATCH, "TRUST_AFTER_APPROVALS": 5, "TRUST_AUDIT_PERCENT": 0}
    for seed in range(1, 6):
        assert not is_trusted(volunteer)
        body = report(volunteer_api, seed)
        assert body["review_status"] == "pending"
        decide(moderator_api, body, "approve")
    assert is_trusted(volunteer)

    # Trusted, with no audit drawn: approved at once, and the 201 answer says so.
    at_once = report(volunteer_api, 6)
    assert at_once["review_status"] == "approved"
    observation = Observation.objects.get(public_id=at_once["id"])
    assert (observation.review_route, observation.published_at is not None) == ("trusted", True)
    assert observation.venue.current_status == "posted"

    # Every report drawn for audit: it waits in the queue like any other, and its rejection ends the trust.
    settings.SIGNWATCH = {**settings.SIGNWATCH, "TRUST_AUDIT_PERCENT": 100}
    audited = report(volunteer_api, 7)
    assert audited["review_status"] == "pending"
    assert Observation.objects.get(public_id=audited["id"]).review_route == "audit"
    decide(moderator_api, audited, "reject", "The photo shows another building")
    assert not is_trusted(volunteer)
    assert report(volunteer_api, 8)["review_status"] == "pending"

    changes = list(VolunteerTrust.history.filter(user_id=volunteer.pk).order_by("history_date"))
    assert [(c.trusted, c.change) for c in changes] == [(True, "earned"), (False, "audit_rejected")]


def test_a_rejection_among_the_last_n_holds_trust_back(volunteer_api, volunteer, moderator_api, settings):
    settings.SIGNWATCH = {**settings.SIGNWATCH, "TRUST_AFTER_APPROVALS": 2, "TRUST_CLEAN_LAST": 3}
    decide(moderator_api, report(volunteer_api, 1), "reject", "Blurred")
    decide(moderator_api, report(volunteer_api, 2), "approve")
    decide(moderator_api, report(volunteer_api, 3), "approve")
    assert not is_trusted(volunteer)  # two approvals, but the rejection is among the last three decisions
    decide(moderator_api, report(volunteer_api, 4), "approve")
    assert is_trusted(volunteer)


def test_anonymous_reports_always_queue(api, settings):
    settings.SIGNWATCH = {**settings.SIGNWATCH, "TRUST_AUDIT_PERCENT": 0}
    body = report(api, 1)
    assert body["review_status"] == "pending"
    assert Observation.objects.get(public_id=body["id"]).review_route == "queue"


def test_a_flagged_report_from_a_trusted_volunteer_queues(volunteer_api, volunteer, moderator, settings):
    settings.SIGNWATCH = {**settings.SIGNWATCH, "TRUST_AUDIT_PERCENT": 0}
    moderation.set_trust(user=volunteer, trusted=True, by=User.objects.create_superuser("staff"))
    assert report(volunteer_api, 1)["review_status"] == "approved"
    assert report(volunteer_api, 1, point=DALLAS)["review_status"] == "pending"  # the same photo: a duplicate


def test_staff_changes_are_recorded_and_a_withdrawal_holds(volunteer_api, volunteer, moderator_api, settings):
    staff = User.objects.create_superuser("staff")
    settings.SIGNWATCH = {**settings.SIGNWATCH, "TRUST_AFTER_APPROVALS": 1, "TRUST_AUDIT_PERCENT": 0}
    moderation.set_trust(user=volunteer, trusted=True, by=staff, note="Known to the coalition")
    moderation.set_trust(user=volunteer, trusted=False, by=staff, note="Asked to pause")
    decide(moderator_api, report(volunteer_api, 1), "approve")
    assert not is_trusted(volunteer)  # approvals do not undo a staff withdrawal
    changes = VolunteerTrust.history.filter(user_id=volunteer.pk).order_by("history_date")
    assert [(c.change, c.changed_by_id, c.note) for c in changes] == [
        ("staff_granted", staff.pk, "Known to the coalition"),
        ("staff_withdrawn", staff.pk, "Asked to pause"),
    ]
    with pytest.raises(moderation.ModerationRefused):
        moderation.set_trust(user=volunteer, trusted=True, by=volunteer)


def binomial_range(n: int, p: float, coverage: float) -> tuple[int, int]:
    """The central range of a Binomial(n, p) holding at least `coverage` of its mass (exact, from the pmf)."""
    tail = (1 - coverage) / 2
    cumulative, low, high = 0.0, None, n
    for k in range(n + 1):
        cumulative += math.comb(n, k) * p**k * (1 - p) ** (n - k)
        if low is None and cumulative > tail:
            low = k
        if cumulative >= 1 - tail:
            high = k
            break
    assert low is not None
    return low, high


def test_the_audited_share_of_1000_trusted_reports_is_within_the_binomial_99_percent_range(db):
    rule = moderation.trust_rule()
    assert rule.audit_share == 0.10
    low, high = binomial_range(1000, rule.audit_share, 0.99)
    assert (low, high) == (76, 125)  # by hand: 100 ± 2.576 · √90 = 100 ± 24.4, and the exact pmf agrees
    rng = random.Random(20261206)
    routes = [trust.review_route(trusted=True, flagged=False, rule=rule, rng=rng) for _ in range(1000)]
    audited = routes.count("audit")
    assert routes.count("trusted") == 1000 - audited
    assert low <= audited <= high


def test_submissions_draw_audits_from_the_random_source_given_and_from_the_system_by_default(
    volunteer, settings, media_root
):
    assert isinstance(inspect.signature(observations.submit).parameters["rng"].default, random.SystemRandom)
    settings.SIGNWATCH = {**settings.SIGNWATCH, "TRUST_AUDIT_PERCENT": 30}
    moderation.set_trust(user=volunteer, trusted=True, by=User.objects.create_superuser("staff"))
    rule = moderation.trust_rule()
    expected_rng, rng = random.Random(7), random.Random(7)
    expected = [trust.review_route(trusted=True, flagged=False, rule=rule, rng=expected_rng) for _ in range(12)]
    made = []
    for seed in range(12):
        submission = observations.Submission(
            photos=[photos.process(plain_jpeg(100 + seed))],
            point=observations.ReportedPoint(AUSTIN[0] + 0.01 * seed, AUSTIN[1], "device"),
            venue_type=VenueType.objects.get(slug="truck_stop"),
            sign_status="posted",
            submitter=volunteer,
        )
        made.append(observations.submit(submission, rng=rng).review_route)
    assert made == expected
    assert "audit" in made and "trusted" in made


def test_audit_interval_matches_a_worked_example():
    # 3 rejected of 40 audits: p = 0.075, z² = 3.8415.
    # centre = (0.075 + 3.8415/80) / (1 + 3.8415/40) = 0.123018 / 1.096036 = 0.112239
    # half   = 1.96 · √(0.075·0.925/40 + 3.8415/6400) / 1.096036 = 1.96 · 0.048318 / 1.096036 = 0.086404
    figures = trust.audit_figures(approved_without_review=412, audited=40, rejected_in_audit=3)
    assert figures.rate == pytest.approx(0.075)
    assert figures.low == pytest.approx(0.025835, abs=1e-5)
    assert figures.high == pytest.approx(0.198643, abs=1e-5)


def test_kappa_matches_a_worked_example():
    # 50 items: both approve 20, A approves / B rejects 5, A rejects / B approves 10, both reject 15.
    # observed agreement (20 + 15) / 50 = 0.70; A approves 25/50, B approves 30/50;
    # chance agreement 0.5·0.6 + 0.5·0.4 = 0.50; kappa = (0.70 − 0.50) / (1 − 0.50) = 0.40.
    pairs = (
        [("approve", "approve")] * 20
        + [("approve", "reject")] * 5
        + [("reject", "approve")] * 10
        + [("reject", "reject")] * 15
    )
    agreement = trust.cohen_kappa(pairs)
    assert (agreement.items, agreement.observed, agreement.expected) == (50, pytest.approx(0.7), pytest.approx(0.5))
    assert agreement.kappa == pytest.approx(0.4)
    assert trust.cohen_kappa([("approve", "approve")] * 4).kappa is None  # 0/0: nothing to say yet
    assert trust.cohen_kappa([]).kappa is None


def test_earning_trust_needs_k_approvals_and_a_clean_recent_record():
    rule = trust.TrustRule(approvals_needed=5, clean_last=3)
    assert trust.earns_trust(approved=5, recent_newest_first=["approved"] * 3, rule=rule)
    assert not trust.earns_trust(approved=4, recent_newest_first=["approved"] * 3, rule=rule)
    assert not trust.earns_trust(approved=9, recent_newest_first=["approved", "approved", "rejected"], rule=rule)
    assert trust.earns_trust(approved=9, recent_newest_first=["approved"] * 3 + ["rejected"], rule=rule)
    with pytest.raises(ValueError):
        trust.TrustRule(audit_share=1.5)


def test_the_method_page_and_the_report_publish_the_audit_figures(api, db):
    venue = approved_venue("TX", "truck_stop", "posted", *AUSTIN, days_ago=60)
    for _ in range(3):
        add_observation(venue, "posted", 50, review_route="trusted")
    for review_status in ("approved", "approved", "approved", "rejected"):
        add_observation(venue, "posted", 50, review_status=review_status, review_route="audit")
    add_observation(venue, "posted", 50, review_status="pending", review_route="audit")  # not decided: not counted
    figures = moderation.measured_accuracy()
    assert (figures.approved_without_review, figures.audited, figures.rejected_in_audit) == (3, 4, 1)
    # Wilson 95% for 1 of 4: centre (0.25 + 0.48018) / 1.96037 = 0.37247, half-width 0.32689 → 4.6% … 69.9%
    expected = "Reports approved without review: 3; audited: 4; rejected in audit: 1, 25.0% (95% CI 4.6%–69.9%)."
    for url in ("/method/", "/reports/TX/"):
        page = " ".join(api.get(url).content.decode().split())
        assert expected in page, url
    assert "drawn for audit" in api.get("/method/").content.decode()


def test_staff_grant_and_withdraw_trust_in_the_admin_and_see_the_history(client, volunteer):
    staff = User.objects.create_superuser("staff", "staff@example.org", "pw-for-tests-only")
    client.force_login(staff)
    added = client.post(
        "/admin/compliance/volunteertrust/add/",
        {"user": volunteer.pk, "trusted": "on", "note": "Trained at the coalition's workshop"},
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    row = VolunteerTrust.objects.get(user=volunteer)
    assert (row.trusted, row.change, row.changed_by) == (True, "staff_granted", staff)

    withdrawn = client.post(
        "/admin/compliance/volunteertrust/",
        {"action": "withdraw_trust", "_selected_action": [row.pk]},
    )
    assert withdrawn.status_code == 302
    row.refresh_from_db()
    assert (row.trusted, row.change) == (False, "staff_withdrawn")
    assert client.get(f"/admin/compliance/volunteertrust/{row.pk}/history/").status_code == 200
    changes = VolunteerTrust.history.filter(user_id=volunteer.pk).order_by("history_date")
    assert [(c.change, c.changed_by_id, c.history_user_id) for c in changes] == [
        ("staff_granted", staff.pk, staff.pk),
        ("staff_withdrawn", staff.pk, staff.pk),
    ]
