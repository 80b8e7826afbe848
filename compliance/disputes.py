"""When a venue's reports disagree: two approved reports within 30 days, one finding the sign posted, one missing.

Pure module. A disputed venue is still shown (marked) on the map and its page, but it leaves the headline figure
until a later approved visit ends the disagreement or a moderator settles it (rules that the latest report stands).
A "deficient" report disputes nothing: it agrees in part with both sides.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

DISPUTE_WINDOW_DAYS = 30
OPPOSED = frozenset({"posted", "missing"})

METHOD = _(
    "When two approved reports of one venue made within 30 days of each other disagree (one finds the sign posted, "
    "the other finds it missing), the venue is marked disputed on the map and its page, and it is left out of the "
    "compliance figures until a later approved visit ends the disagreement or a moderator settles it."
)


@dataclass(frozen=True)
class Report:
    """An approved report of a venue: its id, the day of the visit and what was found."""

    pk: int
    observed_on: datetime.date
    sign_status: str


def is_disputed(latest_first: Sequence[Report], *, settled_through: int | None = None) -> bool:
    """Whether the venue's two latest approved reports (newest first) disagree within the window, unsettled."""
    if len(latest_first) < 2:
        return False
    newest, previous = latest_first[0], latest_first[1]
    if {newest.sign_status, previous.sign_status} != OPPOSED:
        return False
    if abs((newest.observed_on - previous.observed_on).days) > DISPUTE_WINDOW_DAYS:
        return False
    return settled_through != newest.pk
