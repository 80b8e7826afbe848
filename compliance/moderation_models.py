"""Moderation at scale: volunteers' trust, settled disputes and second opinions (imported by compliance.models)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models import Observation, Review, Venue


class VolunteerTrustQuerySet(models.QuerySet["VolunteerTrust"]):
    def trusted(self) -> VolunteerTrustQuerySet:
        return self.filter(trusted=True)


class VolunteerTrust(models.Model):
    """Whether a volunteer's reports are approved at once (but for random audits), and why; its history is kept."""

    class Change(models.TextChoices):
        EARNED = "earned", _("Earned: enough approved reports, none rejected lately")
        AUDIT_REJECTED = "audit_rejected", _("Lost: a report drawn for audit was rejected")
        STAFF_GRANTED = "staff_granted", _("Granted by staff")
        STAFF_WITHDRAWN = "staff_withdrawn", _("Withdrawn by staff")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trust")
    trusted = models.BooleanField(_("trusted"), default=False, db_index=True)
    change = models.CharField(_("last change"), max_length=16, choices=Change.choices)
    note = models.TextField(_("note"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by (empty: automatic)"),
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = VolunteerTrustQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volunteer trust")
        verbose_name_plural = _("volunteer trust")

    def __str__(self) -> str:
        return f"{self.user}: {'trusted' if self.trusted else 'not trusted'} ({self.get_change_display()})"

    @property
    def withdrawn_by_staff(self) -> bool:
        """Staff withdrew the trust by hand: approvals alone do not give it back."""
        return not self.trusted and self.change == self.Change.STAFF_WITHDRAWN


class DisputeSettlement(models.Model):
    """A moderator's ruling that a disputed venue's latest approved report stands, so it counts again."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="dispute_settlements")
    settled_through = models.ForeignKey(
        Observation, on_delete=models.CASCADE, related_name="+", verbose_name=_("latest report when settled")
    )
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dispute settlement")
        verbose_name_plural = _("dispute settlements")

    def __str__(self) -> str:
        return f"{self.venue} settled by {self.moderator} on {self.created_at:%Y-%m-%d}"


class SecondOpinionQuerySet(models.QuerySet["SecondOpinion"]):
    def open(self) -> SecondOpinionQuerySet:
        return self.filter(answered_action="")

    def paired(self) -> SecondOpinionQuerySet:
        """Answered by a moderator other than the one who asked: two independent decisions on one item."""
        return self.exclude(answered_action="").exclude(answered_by=models.F("requested_by"))


class SecondOpinion(models.Model):
    """A moderator's call on an item, sent undecided to another moderator whose decision then applies."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="second_opinions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The sender's own call, hidden from the second moderator so that the two decisions are independent.
    requested_action = models.CharField(_("sender's call"), max_length=16, choices=Review.Action.choices)
    note = models.TextField(_("note for the second moderator"), blank=True, max_length=1000)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="second_opinions_asked"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    answered_action = models.CharField(_("decision"), max_length=16, choices=Review.Action.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = SecondOpinionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("second opinion")
        verbose_name_plural = _("second opinions")
        constraints = [
            models.UniqueConstraint(
                fields=["observation"], condition=models.Q(answered_action=""), name="one_open_second_opinion"
            )
        ]

    def __str__(self) -> str:
        return f"Second opinion on {self.observation_id} for {self.assigned_to}"
