"""Compliance figures for every jurisdiction, computed from the stored per-venue status and kept in the cache.

The payload (JSON bytes and its ETag) is built once and then served from the cache, so a conditional GET can answer
304 without touching the database. Approving an observation invalidates it; so does a new day, since the freshness
window moves.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import orjson
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from compliance import scoring
from compliance.models import Jurisdiction, PostingLaw, Venue

FRESHNESS_DAYS = 730
MIN_N = 10
_GENERATION_KEY = "scoreboard:generation"


@dataclass(frozen=True)
class Scoreboard:
    """The figures of every jurisdiction, as a dict and as the exact bytes served, with their ETag."""

    data: dict[str, Any]
    body: bytes
    etag: str


def _cache_key(today: datetime.date) -> str:
    generation = cache.get_or_set(_GENERATION_KEY, 1, timeout=None)
    return f"scoreboard:{today.isoformat()}:{generation}"


def invalidate() -> None:
    """Forget the cached figures (after a moderation that may change a venue's status)."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # the counter was evicted: starting again from 1 also misses every old key
        cache.set(_GENERATION_KEY, 1, timeout=None)


def cached_etag(today: datetime.date | None = None) -> str | None:
    """The ETag of the cached figures, without building them (None when they are not cached)."""
    cached = cache.get(_cache_key(today or timezone.localdate()))
    return cached.etag if cached else None


def current(today: datetime.date | None = None) -> Scoreboard:
    """The figures for today, from the cache or built and cached."""
    today = today or timezone.localdate()
    key = _cache_key(today)
    cached = cache.get(key)
    if cached is None:
        cached = _serialise(build(today))
        cache.set(key, cached, timeout=24 * 3600)
    return cached


def _serialise(data: dict[str, Any]) -> Scoreboard:
    body = orjson.dumps(data)
    return Scoreboard(data=data, body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def law_periods(laws: list[PostingLaw]) -> list[scoring.LawPeriod]:
    """The scoring module's view of a jurisdiction's laws."""
    return [
        scoring.LawPeriod(
            status=law.status,
            effective_from=law.effective_from,
            effective_to=law.effective_to,
            coverage=tuple(
                scoring.Coverage(covered.venue_type.slug, covered.condition) for covered in law.coverage.all()
            ),
            pk=law.pk,
        )
        for law in laws
    ]


def build(today: datetime.date) -> dict[str, Any]:
    """Score every jurisdiction from the stored latest status of each public venue."""
    since = today - datetime.timedelta(days=FRESHNESS_DAYS)
    counts: dict[int, list[scoring.VenueCount]] = defaultdict(list)
    rows = (
        Venue.objects.public()
        .filter(status_observed_on__gte=since, status_observed_on__lte=today)
        .values("jurisdiction_id", "venue_type__slug", "current_status", "status_observed_on")
        .annotate(venues=Count("pk"))
        .order_by()
    )
    for row in rows:
        observed_on = row["status_observed_on"]
        if observed_on is None:  # excluded by the filter above; this keeps the type checker informed
            continue
        counts[row["jurisdiction_id"]].append(
            scoring.VenueCount(row["venue_type__slug"], row["current_status"], observed_on, row["venues"])
        )
    jurisdictions = {}
    for jurisdiction in Jurisdiction.objects.with_current_law().order_by("code"):
        laws = list(jurisdiction.laws.all())
        law = jurisdiction.current_law(today)
        score = scoring.evaluate(
            counts.get(jurisdiction.pk, []), law_periods(laws), today=today, freshness_days=FRESHNESS_DAYS, min_n=MIN_N
        )
        jurisdictions[jurisdiction.code] = {
            "name": jurisdiction.name,
            "law_verified": bool(law and law.is_verified),
            "citation": law.short_citation if law else "",
            **scoring.as_dict(score),
        }
    return {
        "as_of": today.isoformat(),
        "freshness_days": FRESHNESS_DAYS,
        "min_n": MIN_N,
        "demo_data": Venue.objects.filter(is_demo=True).exists(),
        "jurisdictions": jurisdictions,
    }


@dataclass(frozen=True)
class Quarter:
    """One quarter's compliance (or voluntary rate) in a jurisdiction, from the observations made in it."""

    label: str
    start: datetime.date
    end: datetime.date
    score: scoring.JurisdictionScore


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def trend(jurisdiction: Jurisdiction, *, quarters: int = 8, today: datetime.date | None = None) -> list[Quarter]:
    """Compliance quarter by quarter: each venue counted once per quarter, by its latest approved observation in it."""
    today = today or timezone.localdate()
    starts = [_quarter_start(today)]
    for _ in range(quarters - 1):
        starts.insert(0, _quarter_start(starts[0] - datetime.timedelta(days=1)))
    rows = (
        jurisdiction.venues.filter(observations__review_status="approved", observations__observed_on__gte=starts[0])
        .values("pk", "venue_type__slug", "observations__sign_status", "observations__observed_on")
        .order_by("pk", "observations__observed_on", "observations__created_at")
    )
    latest: dict[tuple[int, int], scoring.VenueCount] = {}
    for row in rows.iterator(chunk_size=5000):
        observed_on = row["observations__observed_on"]
        if observed_on > today:
            continue
        index = max(i for i, start in enumerate(starts) if start <= observed_on)
        latest[(index, row["pk"])] = scoring.VenueCount(
            row["venue_type__slug"], row["observations__sign_status"], observed_on, 1
        )
    laws = law_periods(list(jurisdiction.laws.prefetch_related("coverage__venue_type")))
    result = []
    for index, start in enumerate(starts):
        end = min(starts[index + 1] - datetime.timedelta(days=1) if index + 1 < len(starts) else today, today)
        counts = [count for (quarter, _), count in latest.items() if quarter == index]
        score = scoring.evaluate(counts, laws, today=end, freshness_days=(end - start).days, min_n=MIN_N)
        result.append(Quarter(f"{start.year} Q{(start.month - 1) // 3 + 1}", start, end, score))
    return result
