"""Venue owners who report their sign posted: what the venue page says of the claim, and when a visit settles it.

An owner's report goes through the volunteers' intake (compliance/observations.py, `Submission(by_owner=True)`) and
the moderation queue, but counts in no figure: ObservationQuerySet.approved() leaves it out. A volunteer's approved
report dated on or after the claimed day, and received after the claim, settles it: a sign found posted (deficient
or not) confirms it, a sign found missing ends it without a word. Only the volunteer's report ever counts.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from compliance import observations, photos
from compliance.models import Observation, SignStatus, Venue


@dataclass(frozen=True)
class Claim:
    """An owner's approved claim as the public sees it: the day they say the sign went up, and a volunteer's
    confirming visit (None while awaiting one)."""

    reported_on: datetime.date
    confirmed_on: datetime.date | None = None

    @property
    def awaiting_visit(self) -> bool:
        return self.confirmed_on is None


def public_claim(venue: Venue) -> Claim | None:
    """The owner's latest approved claim on the venue, unless a volunteer's later visit found the sign missing."""
    claim = (
        venue.observations.owner_claims()
        .filter(review_status=Observation.ReviewStatus.APPROVED)
        .order_by("-observed_on", "-created_at", "-pk")
        .values("observed_on", "created_at")
        .first()
    )
    if claim is None:
        return None
    visit = (
        venue.observations.approved()
        .filter(observed_on__gte=claim["observed_on"], created_at__gt=claim["created_at"])
        .order_by("observed_on", "created_at", "pk")
        .values("observed_on", "sign_status")
        .first()
    )
    if visit is None:
        return Claim(claim["observed_on"])
    if visit["sign_status"] == SignStatus.MISSING:
        return None
    return Claim(claim["observed_on"], visit["observed_on"])


def has_open_claim(venue: Venue) -> bool:
    """Whether an owner's claim on the venue is pending review or approved and still awaiting a volunteer's visit
    (then a second claim is refused)."""
    return Observation.objects.open_owner_claims().filter(venue=venue).exists()


def report_posted(
    *,
    venue: Venue,
    cleaned: Sequence[photos.CleanPhoto],
    posted_on: datetime.date | None,
    email: str = "",
    language: str = "en",
) -> Observation:
    """Record an owner's report that the venue's sign is posted, through the volunteers' intake, for moderation.

    The point is the venue's own (never asked of the owner's browser), no account is kept with it, and the optional
    address serves the review notice only. Raises observations.OwnerClaimOpen while an earlier claim is open.
    """
    submission = observations.Submission(
        photos=cleaned,
        venue_type=venue.venue_type,
        venue=venue,
        sign_status=SignStatus.POSTED,
        point=observations.ReportedPoint(venue.latitude, venue.longitude, Observation.LocationSource.VENUE),
        observed_on=posted_on,
        email=email.strip(),
        language=language,
        by_owner=True,
    )
    return observations.submit(submission)
