"""Compliance figures for every jurisdiction, computed from the stored per-venue status and kept in the cache.

The payload (JSON bytes and its ETag) is built once and then served from the cache, so a conditional GET can answer
304 without touching the database. Approving an observation invalidates it; so does a new day, since the freshness
window moves.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import orjson
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from compliance import laws, scoring
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


def stamp(today: datetime.date | None = None) -> str:
    """Names the figures' current state: it changes with the day and with every invalidate().

    Anything derived from the figures (the scoreboard itself, report PDFs, signs) can be cached under it.
    """
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        # A fresh value, not 1: keys made under an evicted counter must never be read again.
        generation = time.time_ns()
        cache.add(_GENERATION_KEY, generation, timeout=None)
        generation = cache.get(_GENERATION_KEY, generation)
    return f"{(today or timezone.localdate()).isoformat()}:{generation}"


def invalidate() -> None:
    """Forget the cached figures (after a moderation, or an edit of the law data)."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # the counter was evicted meanwhile
        cache.set(_GENERATION_KEY, time.time_ns(), timeout=None)


def forget_on_change(sender: type, **kwargs: object) -> None:
    """Signal receiver: law data changed, so the figures and everything quoting them must be rebuilt."""
    invalidate()


# This process's copy of the figures under their stamp. The shared cache holds only the bytes (cheap to copy);
# rebuilding the dict and unpickling on every request would cost more than serving the answer.
_local: dict[str, Scoreboard] = {}


def current(today: datetime.date | None = None) -> Scoreboard:
    """The figures for today: from this process's copy, else the shared cache, else built (and cached)."""
    today = today or timezone.localdate()
    key = f"scoreboard:{stamp(today)}"
    board = _local.get(key)
    if board is not None:
        return board
    cached = cache.get(key)
    if cached is None:
        board = _serialise(build(today))
        cache.set(key, (board.body, board.etag), timeout=24 * 3600)
    else:
        body, etag = cached
        board = Scoreboard(data=orjson.loads(body), body=body, etag=etag)
    _local.clear()
    _local[key] = board
    return board


def _serialise(data: dict[str, Any]) -> Scoreboard:
    body = orjson.dumps(data)
    return Scoreboard(data=data, body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def law_periods(rows: list[PostingLaw]) -> list[scoring.LawPeriod]:
    """The scoring module's view of a jurisdiction's laws."""
    return [
        scoring.LawPeriod(
            status=law.status,
            effective_from=law.effective_from,
            effective_to=law.effective_to,
            # Coverage only a secondary source reports is scored like a conditional type (laws.Coverage says why).
            coverage=tuple(
                scoring.Coverage(covered.slug, covered.scoring_condition) for covered in laws.covered_venue_types(law)
            ),
            pk=law.pk,
        )
        for law in rows
    ]


def build(today: datetime.date) -> dict[str, Any]:
    """Score every jurisdiction from the stored latest status of each public venue (disputed ones aside)."""
    since = today - datetime.timedelta(days=FRESHNESS_DAYS)
    counts: dict[int, list[scoring.VenueCount]] = defaultdict(list)
    fresh = Venue.objects.public().filter(status_observed_on__gte=since, status_observed_on__lte=today)
    disputed = dict(
        fresh.filter(disputed=True)
        .values("jurisdiction_id")
        .annotate(venues=Count("pk"))
        .values_list("jurisdiction_id", "venues")
        .order_by()
    )
    rows = (
        fresh.filter(disputed=False)
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
    from compliance import missions  # missions records draws through this module: import it late

    samples = missions.current_summaries(today)
    jurisdictions = {}
    for jurisdiction in Jurisdiction.objects.with_current_law().order_by("code"):
        periods = law_periods(list(jurisdiction.laws.all()))
        law = jurisdiction.current_law(today)
        score = scoring.evaluate(
            counts.get(jurisdiction.pk, []), periods, today=today, freshness_days=FRESHNESS_DAYS, min_n=MIN_N
        )
        jurisdictions[jurisdiction.code] = {
            "name": jurisdiction.name,
            "law_verified": bool(law and laws.is_verified(law)),
            "citation": laws.citation_to_print(law) if law else "",
            **scoring.as_dict(score),
            # Left out of every figure above until a later visit or a moderator settles them (disputes.py).
            "disputed_venues": disputed.get(jurisdiction.pk, 0),
            **design_based(samples.get(jurisdiction.code)),
        }
    return {
        "as_of": today.isoformat(),
        "freshness_days": FRESHNESS_DAYS,
        "min_n": MIN_N,
        "demo_data": Venue.objects.filter(is_demo=True).exists(),
        "jurisdictions": jurisdictions,
    }


def design_based(sample: dict[str, Any] | None) -> dict[str, Any]:
    """The design-based estimate from the jurisdiction's current sample when it has one, and which figure to quote."""
    estimate = sample["estimate"] if sample else None
    return {
        "design_estimate": (
            {**estimate, "sample": sample["id"], "seed": sample["seed"], "frame_as_of": sample["frame_as_of"]}
            if sample and estimate
            else None
        ),
        # A letter quotes the estimate from a random sample when there is one; the convenience figure otherwise.
        "quote": "design_estimate" if estimate else "compliance",
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
        jurisdiction.venues.filter(
            observations__review_status="approved",
            observations__reported_by_owner=False,  # an owner's claim counts in no figure (Observation.approved)
            observations__observed_on__gte=starts[0],
        )
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
    periods = law_periods(list(jurisdiction.laws.prefetch_related("coverage__venue_type")))
    result = []
    for index, start in enumerate(starts):
        end = min(starts[index + 1] - datetime.timedelta(days=1) if index + 1 < len(starts) else today, today)
        counts = [count for (quarter, _), count in latest.items() if quarter == index]
        score = scoring.evaluate(counts, periods, today=end, freshness_days=(end - start).days, min_n=MIN_N)
        result.append(Quarter(f"{start.year} Q{(start.month - 1) // 3 + 1}", start, end, score))
    return result
