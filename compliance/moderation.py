"""Moderation at scale, the writes and counts: trust changes, dispute settlements, second opinions, and the figures
the method page publishes (audit accuracy, moderators' agreement). The rules themselves are in trust.py/disputes.py.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import roles, scoreboard, trust
from compliance.models import (
    DisputeSettlement,
    Jurisdiction,
    Observation,
    SecondOpinion,
    Venue,
    VolunteerTrust,
)

# How the queue can be filtered by flag: none (what bulk decisions take), any, or one flag.
QUEUE_FLAG_FILTERS = [("none", gettext_lazy("No flag")), ("any", gettext_lazy("Any flag")), *Observation.Flag.choices]
QUEUE_REPORTER_FILTERS = [
    ("volunteer", gettext_lazy("Volunteers' reports")),
    ("owner", gettext_lazy("Owners' reports")),
]


class ModerationRefused(Exception):
    """A moderation request that cannot be carried out, with a code and the field at fault."""

    def __init__(self, code: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field


def trust_rule() -> trust.TrustRule:
    """The trust settings in force (backend/settings.py, from the environment)."""
    limits = settings.SIGNWATCH
    return trust.TrustRule(
        approvals_needed=limits["TRUST_AFTER_APPROVALS"],
        clean_last=limits["TRUST_CLEAN_LAST"],
        audit_share=limits["TRUST_AUDIT_PERCENT"] / 100,
    )


def is_trusted(user: User | AbstractBaseUser | AnonymousUser | None) -> bool:
    """Whether a user's reports skip the queue (but for audits); never for an anonymous volunteer."""
    if user is None or not user.is_authenticated:
        return False
    return VolunteerTrust.objects.trusted().filter(user_id=user.pk).exists()


def _record_trust(user_id: int, *, trusted: bool, change: str, by: User | None = None, note: str = "") -> None:
    # update_or_create goes through save(), so django-simple-history records every change with who and when.
    VolunteerTrust.objects.update_or_create(
        user_id=user_id, defaults={"trusted": trusted, "change": change, "changed_by": by, "note": note}
    )


@transaction.atomic
def set_trust(*, user: User, trusted: bool, by: User, note: str = "") -> VolunteerTrust:
    """Staff grant or withdraw a volunteer's trust by hand; a withdrawal holds until staff grant it again."""
    if not by.is_staff and not by.is_superuser:
        raise ModerationRefused("permission_denied", _("Only staff can grant or withdraw trust."))
    change = VolunteerTrust.Change.STAFF_GRANTED if trusted else VolunteerTrust.Change.STAFF_WITHDRAWN
    _record_trust(user.pk, trusted=trusted, change=change, by=by, note=note)
    return VolunteerTrust.objects.get(user=user)


def update_trust_after(decided: Iterable[Observation]) -> None:
    """After moderators decide reports: a rejected audit ends the submitter's trust; approvals may earn it."""
    rule = trust_rule()
    by_submitter: dict[int, list[Observation]] = {}
    for observation in decided:
        # An owner's claim is not a volunteer's report: it neither earns trust nor costs it.
        if observation.submitter_id is not None and not observation.reported_by_owner:
            by_submitter.setdefault(observation.submitter_id, []).append(observation)
    for user_id, observations in by_submitter.items():
        current = VolunteerTrust.objects.select_for_update().filter(user_id=user_id).first()
        failed_audit = any(
            o.review_route == Observation.ReviewRoute.AUDIT and o.review_status == Observation.ReviewStatus.REJECTED
            for o in observations
        )
        if failed_audit:
            if current is None or current.trusted:
                _record_trust(user_id, trusted=False, change=VolunteerTrust.Change.AUDIT_REJECTED)
            continue
        if current is not None and (current.trusted or current.withdrawn_by_staff):
            continue
        recent = list(
            Observation.objects.filter(
                submitter_id=user_id,
                reported_by_owner=False,
                review_status__in=[Observation.ReviewStatus.APPROVED, Observation.ReviewStatus.REJECTED],
            )
            .order_by("-created_at", "-pk")
            .values_list("review_status", flat=True)[: rule.clean_last]
        )
        approved = Observation.objects.approved().filter(submitter_id=user_id)
        if trust.earns_trust(approved=approved.count(), recent_newest_first=recent, rule=rule):
            _record_trust(user_id, trusted=True, change=VolunteerTrust.Change.EARNED)


def measured_accuracy(jurisdiction: Jurisdiction | None = None) -> trust.AuditFigures:
    """Reports approved without review, audits decided, audits rejected (all time; one jurisdiction if given).

    Counts every report: remembered until the data changes (a decision names its jurisdiction, and ROUTED_BY_TRUST
    when the report skipped the queue).
    """
    return scoreboard.remembered(
        f"audit:{jurisdiction.pk if jurisdiction else 'all'}",
        lambda: _measured_accuracy(jurisdiction),
        jurisdiction=jurisdiction.pk if jurisdiction else scoreboard.ROUTED_BY_TRUST,
    )


def _measured_accuracy(jurisdiction: Jurisdiction | None) -> trust.AuditFigures:
    reports = Observation.objects.exclude(review_route=Observation.ReviewRoute.QUEUE)
    if jurisdiction is not None:
        reports = reports.filter(venue__jurisdiction=jurisdiction)
    counts = reports.aggregate(
        without_review=models.Count("pk", filter=models.Q(review_route=Observation.ReviewRoute.TRUSTED)),
        audited=models.Count(
            "pk",
            filter=models.Q(review_route=Observation.ReviewRoute.AUDIT)
            & ~models.Q(review_status=Observation.ReviewStatus.PENDING),
        ),
        rejected=models.Count(
            "pk",
            filter=models.Q(
                review_route=Observation.ReviewRoute.AUDIT, review_status=Observation.ReviewStatus.REJECTED
            ),
        ),
    )
    return trust.audit_figures(
        approved_without_review=counts["without_review"],
        audited=counts["audited"],
        rejected_in_audit=counts["rejected"],
    )


def moderators_agreement() -> trust.Agreement:
    """Cohen's kappa over items two different moderators decided (sender's call, then the second decision)."""
    pairs = SecondOpinion.objects.paired().values_list("requested_action", "answered_action")
    return trust.cohen_kappa(list(pairs))


@transaction.atomic
def settle_dispute(*, venue: Venue, moderator: User, reason: str) -> DisputeSettlement:
    """A moderator rules that a disputed venue's latest approved report stands: the venue counts again."""
    if not reason.strip():
        raise ModerationRefused("reason_required", _("Say why the latest report stands."), field="reason")
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    if not venue.disputed:
        raise ModerationRefused("not_disputed", _("This venue is not disputed."))
    latest = venue.observations.approved().order_by("-observed_on", "-created_at", "-pk").first()
    if latest is None:  # a disputed venue has two approved reports; this keeps the type checker informed
        raise ModerationRefused("not_disputed", _("This venue is not disputed."))
    settlement = DisputeSettlement.objects.create(
        venue=venue, settled_through=latest, moderator=moderator, reason=reason.strip()
    )
    venue.refresh_current_status()
    transaction.on_commit(functools.partial(scoreboard.invalidate, [venue.jurisdiction_id]))
    return settlement


@transaction.atomic
def ask_second_opinion(
    *, observation: Observation, requested_by: User, assigned_to: User, action: str, note: str = ""
) -> SecondOpinion:
    """Send a pending item, undecided, to another moderator, recording the sender's own call for the kappa."""
    if assigned_to.pk == requested_by.pk:
        raise ModerationRefused("invalid", _("Send it to another moderator."), field="moderator")
    if not roles.is_moderator(assigned_to):
        raise ModerationRefused("invalid", _("That person is not a moderator."), field="moderator")
    if not Observation.objects.pending().filter(pk=observation.pk).exists():
        raise ModerationRefused("already_reviewed", _("This observation has already been reviewed."))
    try:
        with transaction.atomic():
            return SecondOpinion.objects.create(
                observation=observation,
                requested_by=requested_by,
                requested_action=action,
                assigned_to=assigned_to,
                note=note.strip(),
            )
    except IntegrityError:
        raise ModerationRefused("already_sent", _("A second opinion on this observation is already awaited.")) from None


def answer_second_opinions(decided: Iterable[Observation], *, moderator: User, action: str) -> None:
    """A decision on an item awaiting a second opinion is that opinion, whoever of the moderators gives it."""
    SecondOpinion.objects.open().filter(observation__in=[o.pk for o in decided]).update(
        answered_action=action, answered_by=moderator, answered_at=timezone.now()
    )
