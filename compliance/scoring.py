"""Compliance figures for one jurisdiction: posted / (posted + deficient + missing), with a Wilson 95% interval and n.

Pure module: the caller passes per-venue statuses already aggregated in SQL (each venue once, by its latest
approved observation) and the jurisdiction's laws as plain values; no models, no database, no I/O.

The method (METHOD below is the wording pages and reports show):
- Only observations in the freshness window count: from `today - freshness_days` to `today`, both included.
- Where the law in force today is mandatory, a venue counts when the law in force on its observation date was
  mandatory and covered its venue type. A venue observed before that was not yet required to post: it is left
  out and tallied in `excluded_before_law`. Venue types no law covered are ignored.
- A venue type covered only under a condition ("only if cited as a nuisance") is conditional: a photo cannot tell
  whether the condition applied, so the type gets its own figures but stays out of the headline rate.
- Below `min_n` venues the verdict is "insufficient_data"; counts, n and the interval are still reported.
- Where the law in force today is not mandatory, the verdict is "no_mandate" and the figure is a voluntary-posting
  rate over all fresh venues, never called compliance.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from compliance.laws import law_in_force

Z95 = 1.959963984540054  # two-sided 95% quantile of the standard normal
DEFAULT_FRESHNESS_DAYS = 730  # about 24 months: older photos say little about the wall today
DEFAULT_MIN_N = 10
SIGN_STATUSES = ("posted", "deficient", "missing")

METHOD = _(
    "For a state or territory whose posting law is mandatory today, we take each venue of a type the law covers "
    "that has an approved observation from the last 24 months (730 days), counting each venue once, by its latest "
    "approved observation. A venue counts only if the law in force on the day it was observed was mandatory and "
    "covered its venue type: a venue observed before the law took effect was not yet required to post, so it is "
    "left out, and we say how many were. Compliance is the share of these venues where the sign was posted: "
    "posted / (posted + deficient + missing), shown with n, the number of venues, and a Wilson 95% confidence "
    "interval. With fewer than 10 venues we say there is not enough data instead of showing a rate as if it were "
    "reliable. Each venue type also gets its own figures. Where the law covers a venue type only under a condition "
    "(for example a hotel only once it has been cited as a nuisance), a photo cannot tell us whether the condition "
    "applied, so that venue type has its own figures but is left out of the headline rate. Where the law in force "
    "today is voluntary, absent or unknown, there is no compliance rate: we show the law's status and the share of "
    "all recently observed venues that post the sign anyway."
)


@dataclass(frozen=True)
class Coverage:
    """A venue type a law covers; a non-empty condition makes it conditional."""

    venue_type: str
    condition: str = ""


@dataclass(frozen=True)
class LawPeriod:
    """One posting law of the jurisdiction and the period it is in force (None = open end)."""

    status: str
    effective_from: date | None
    effective_to: date | None
    coverage: tuple[Coverage, ...]
    pk: int = 0  # tie-breaker between laws taking effect the same day, as compliance.laws expects


@dataclass(frozen=True)
class VenueCount:
    """How many venues share a venue type, a latest approved status and the date of that observation."""

    venue_type: str
    status: str
    observed_on: date
    venues: int

    def __post_init__(self) -> None:
        # A status outside the three would silently vanish from every denominator; refuse it loudly instead.
        if self.status not in SIGN_STATUSES:
            raise ValueError(f"unknown sign status {self.status!r}")
        if self.venues < 1:
            raise ValueError(f"venues must be at least 1, not {self.venues}")


@dataclass(frozen=True)
class Rate:
    """Posted share of n venues with its Wilson 95% interval; `sufficient` is False below the minimum n."""

    posted: int
    deficient: int
    missing: int
    n: int
    rate: float | None
    low: float
    high: float
    sufficient: bool


@dataclass(frozen=True)
class VenueTypeScore:
    """Figures for one covered venue type; `counted` is False for a conditional type left out of the headline."""

    venue_type: str
    condition: str
    counted: bool
    figures: Rate


@dataclass(frozen=True)
class JurisdictionScore:
    """A jurisdiction's compliance (under a mandate) or voluntary-posting rate (without one)."""

    law_status: str
    verdict: str
    overall: Rate | None
    by_venue_type: tuple[VenueTypeScore, ...]
    voluntary: Rate | None
    excluded_before_law: int
    fresh_since: date


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion, clamped to [0, 1]; (0.0, 1.0) when n is 0."""
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n: {successes} of {n}")
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half_width = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # At p = 0 or 1 a bound is exactly 0 or 1 in exact arithmetic; floats land an ulp either side, so pin it there.
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == n else min(1.0, centre + half_width)
    return low, high


def rate_of(counts: Iterable[VenueCount], *, min_n: int = DEFAULT_MIN_N) -> Rate:
    """The posted share of the venues in the counts, with its interval, n and whether n reaches min_n."""
    venues: Counter[str] = Counter()
    for count in counts:
        venues[count.status] += count.venues
    posted, deficient, missing = (venues[status] for status in SIGN_STATUSES)
    n = posted + deficient + missing
    low, high = wilson_interval(posted, n)
    return Rate(
        posted=posted,
        deficient=deficient,
        missing=missing,
        n=n,
        rate=posted / n if n else None,
        low=low,
        high=high,
        sufficient=n > 0 and n >= min_n,
    )


def evaluate(
    counts: Iterable[VenueCount],
    laws: Sequence[LawPeriod],
    *,
    today: date,
    freshness_days: int = DEFAULT_FRESHNESS_DAYS,
    min_n: int = DEFAULT_MIN_N,
) -> JurisdictionScore:
    """Score one jurisdiction's fresh venue statuses against the law in force today and on each observation date."""
    fresh_since = today - timedelta(days=freshness_days)
    # A date after today is a clock or data-entry error, not evidence about the wall.
    fresh = [count for count in counts if fresh_since <= count.observed_on <= today]
    current = _law_on(laws, today)
    if current is None or current.status != "mandatory":
        return JurisdictionScore(
            law_status=current.status if current else "unknown",
            verdict="no_mandate",
            overall=None,
            by_venue_type=(),
            voluntary=rate_of(fresh, min_n=min_n),
            excluded_before_law=0,
            fresh_since=fresh_since,
        )

    covered_today = _mandated_coverage(current)
    # Keyed by (venue type, condition) rather than venue type alone: when a law change made a type conditional or
    # unconditional, its venues observed under each law belong to different rows, and the counted rows then add up
    # to the headline exactly. Types covered today start empty so pages can say "no data yet".
    groups: dict[tuple[str, str], list[VenueCount]] = {key: [] for key in covered_today.items()}
    excluded_before_law = 0
    for count in fresh:
        covered_then = _mandated_coverage(_law_on(laws, count.observed_on))
        if count.venue_type in covered_then:
            groups.setdefault((count.venue_type, covered_then[count.venue_type]), []).append(count)
        elif count.venue_type in covered_today:
            excluded_before_law += count.venues

    by_venue_type = sorted(
        (
            VenueTypeScore(venue_type, condition, counted=not condition, figures=rate_of(members, min_n=min_n))
            for (venue_type, condition), members in groups.items()
        ),
        key=lambda score: (-score.figures.n, score.venue_type, score.condition),
    )
    overall = rate_of(
        (count for (_venue_type, condition), members in groups.items() if not condition for count in members),
        min_n=min_n,
    )
    return JurisdictionScore(
        law_status=current.status,
        verdict="compliance" if overall.sufficient else "insufficient_data",
        overall=overall,
        by_venue_type=tuple(by_venue_type),
        voluntary=None,
        excluded_before_law=excluded_before_law,
        fresh_since=fresh_since,
    )


def as_dict(score: JurisdictionScore) -> dict[str, object]:
    """The score as a JSON-ready dict for the API: ISO dates, rates rounded to 4 decimals."""
    return {
        "law_status": score.law_status,
        "verdict": score.verdict,
        "overall": _rate_dict(score.overall),
        "by_venue_type": [{**asdict(item), "figures": _rate_dict(item.figures)} for item in score.by_venue_type],
        "voluntary": _rate_dict(score.voluntary),
        "excluded_before_law": score.excluded_before_law,
        "fresh_since": score.fresh_since.isoformat(),
    }


def _rate_dict(rate: Rate | None) -> dict[str, object] | None:
    if rate is None:
        return None
    return {
        **asdict(rate),
        "rate": None if rate.rate is None else round(rate.rate, 4),
        "low": round(rate.low, 4),
        "high": round(rate.high, 4),
    }


def _law_on(laws: Sequence[LawPeriod], on: date) -> LawPeriod | None:
    # One rule decides which law is in force, for scoring and for the pages that name the current law alike.
    # compliance.laws annotates PostingLaw but reads only effective_from, effective_to and pk, which LawPeriod has.
    return law_in_force(laws, on)


def _mandated_coverage(law: LawPeriod | None) -> dict[str, str]:
    """Venue type → condition for the types a law requires to post; empty unless the law is mandatory."""
    if law is None or law.status != "mandatory":
        return {}
    return {covered.venue_type: covered.condition for covered in law.coverage}
