"""What changed on the ground after a letter: compliance before and after the day it was sent, and the difference.

For a letter sent on day D:
- before: the venues with an approved observation in the 12 months up to D (D included: a letter takes days to
  arrive and longer to act on), each counted once, by its latest approved observation in that window;
- after: the venues with an approved observation after D, each by its latest one;
- both restricted to the venue types the law in force on D covers without condition (all venue types where the law
  is not mandatory: then the figures are voluntary-posting rates, as on the map);
- each share with its Wilson 95% interval, and the difference (after − before) with Newcombe's hybrid score
  interval (Newcombe 1998, method 10), which behaves well for small samples and rates near 0 or 1 where the simple
  Wald interval does not.

The two groups can share venues (a venue visited before and again after). Newcombe's method assumes independent
samples; with overlap the interval is conservative when the visits agree, so the method page says the interval is
approximate.

Pure module: the caller (compliance/outreach.py) passes approved observations as plain rows.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import asdict, dataclass
from typing import Any

from compliance import scoring

BEFORE_DAYS = 365


@dataclass(frozen=True)
class Difference:
    """A difference of two proportions (after − before) with its 95% interval; None when either side has no data."""

    estimate: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class BeforeAfter:
    """Figures among venues observed in the year up to a letter and among those observed after it."""

    sent_on: datetime.date
    before: scoring.Rate
    after: scoring.Rate
    difference: Difference


def newcombe_difference(before: scoring.Rate, after: scoring.Rate) -> Difference:
    """after − before with Newcombe's hybrid score 95% interval (method 10), from each side's Wilson interval."""
    if not before.n or not after.n or before.rate is None or after.rate is None:
        return Difference(None, None, None)
    p_before, p_after = before.rate, after.rate
    low_before, high_before = scoring.wilson_interval(before.posted, before.n)
    low_after, high_after = scoring.wilson_interval(after.posted, after.n)
    estimate = p_after - p_before
    low = estimate - math.sqrt((p_after - low_after) ** 2 + (high_before - p_before) ** 2)
    high = estimate + math.sqrt((high_after - p_after) ** 2 + (p_before - low_before) ** 2)
    return Difference(estimate, max(-1.0, low), min(1.0, high))


def latest_per_venue(rows: list[dict[str, Any]]) -> list[scoring.VenueCount]:
    """Each venue once, by its latest row (rows: venue_id, venue_type, sign_status, observed_on, created_at)."""
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:
        kept = latest.get(row["venue_id"])
        if kept is None or (row["observed_on"], row["created_at"]) > (kept["observed_on"], kept["created_at"]):
            latest[row["venue_id"]] = row
    return [scoring.VenueCount(row["venue_type"], row["sign_status"], row["observed_on"], 1) for row in latest.values()]


def compare(
    rows: list[dict[str, Any]], *, sent_on: datetime.date, covered: set[str] | None, today: datetime.date
) -> BeforeAfter:
    """Before and after figures from approved observation rows; `covered` None means every venue type counts."""
    since = sent_on - datetime.timedelta(days=BEFORE_DAYS)
    kept = [row for row in rows if covered is None or row["venue_type"] in covered]
    before = scoring.rate_of(latest_per_venue([row for row in kept if since <= row["observed_on"] <= sent_on]))
    after = scoring.rate_of(latest_per_venue([row for row in kept if sent_on < row["observed_on"] <= today]))
    return BeforeAfter(sent_on, before, after, newcombe_difference(before, after))


def as_dict(figures: BeforeAfter) -> dict[str, Any]:
    """JSON-ready: rates and bounds rounded to 4 decimals, as the rest of the API gives them."""

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    def rate(value: scoring.Rate) -> dict[str, Any]:
        return {**asdict(value), "rate": rounded(value.rate), "low": rounded(value.low), "high": rounded(value.high)}

    return {
        "sent_on": figures.sent_on.isoformat(),
        "before": rate(figures.before),
        "after": rate(figures.after),
        "difference": {
            "estimate": rounded(figures.difference.estimate),
            "low": rounded(figures.difference.low),
            "high": rounded(figures.difference.high),
        },
    }
