"""Each jurisdiction's public venues counted for one day's figures, kept up to date by every change to a venue.

The compliance figures need, per jurisdiction, how many fresh public venues share a venue type, a status, a disputed
flag and the law that was in force on the day of their latest report; which day within a law's period does not
change any figure. So a jurisdiction's venues fold into a few dozen counts (a `JurisdictionTally`), and a
moderation moves one venue from one count to another in the same transaction that changes the venue, under a lock
on the tally's row: the figures after a moderation cost the same with a thousand venues or ten million.

A tally is for one day (the freshness window moves daily) and for the laws as they stand: on a new day, or after
a law's dates change, a bulk load or a restore, it is recounted from the venues once (`recount`).
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from compliance import scoring
from compliance.models import Jurisdiction, JurisdictionTally, PostingLaw, Venue

FRESHNESS_DAYS = 730  # scoreboard.FRESHNESS_DAYS re-exports this: the window the figures count venues in

_STATE_FIELDS = ("jurisdiction_id", "venue_type__slug", "current_status", "status_observed_on", "disputed")


@dataclass(frozen=True)
class VenueState:
    """What of one public venue the figures read."""

    jurisdiction_id: int
    venue_type: str
    status: str
    observed_on: datetime.date
    disputed: bool


@dataclass(frozen=True)
class Counts:
    """A jurisdiction's fresh public venues as the scoring module reads them, and how many are disputed."""

    venues: list[scoring.VenueCount]
    disputed: int


def state_of(venue_id: int) -> VenueState | None:
    """The venue as stored now; None when it is not public (no approved report) or gone."""
    row = Venue.objects.filter(pk=venue_id).values(*_STATE_FIELDS).first()
    return _state(row) if row else None


def _state(row: dict[str, object]) -> VenueState | None:
    if not row["current_status"] or row["status_observed_on"] is None:
        return None
    return VenueState(
        jurisdiction_id=row["jurisdiction_id"],  # type: ignore[arg-type]
        venue_type=row["venue_type__slug"],  # type: ignore[arg-type]
        status=row["current_status"],  # type: ignore[arg-type]
        observed_on=row["status_observed_on"],  # type: ignore[arg-type]
        disputed=bool(row["disputed"]),
    )


@contextlib.contextmanager
def changing(venue: Venue) -> Iterator[None]:
    """Wrap a change to a venue's status, type or jurisdiction: its tally moves with it, in the same transaction.

    The tally rows of the jurisdiction(s) involved are locked before the venue is read, so a recount and a
    moderation never interleave, and two moderations in one jurisdiction take turns.
    """
    with transaction.atomic():
        _lock({venue.jurisdiction_id})
        before = state_of(venue.pk) if venue.pk else None
        if before is not None and before.jurisdiction_id != venue.jurisdiction_id:
            _lock({before.jurisdiction_id})
        yield
        after = state_of(venue.pk)
        if after is not None and after.jurisdiction_id not in {
            venue.jurisdiction_id,
            getattr(before, "jurisdiction_id", None),
        }:
            _lock({after.jurisdiction_id})
        if before != after:
            move(before, after)


def _lock(jurisdiction_ids: Iterable[int]) -> None:
    ids = sorted(set(jurisdiction_ids))
    existing = set(
        JurisdictionTally.objects.select_for_update()
        .filter(jurisdiction_id__in=ids)
        .values_list("jurisdiction_id", flat=True)
    )
    missing = [pk for pk in ids if pk not in existing]
    if missing:  # a first tally is stale until counted: creating it only gives the lock something to hold
        JurisdictionTally.objects.bulk_create(
            [JurisdictionTally(jurisdiction_id=pk) for pk in missing], ignore_conflicts=True
        )
        list(JurisdictionTally.objects.select_for_update().filter(jurisdiction_id__in=missing).values_list("pk"))


def move(before: VenueState | None, after: VenueState | None) -> None:
    """Count a venue out of its old bucket and into its new one (the caller holds the tallies' locks)."""
    today = timezone.localdate()
    for state, step in ((before, -1), (after, +1)):
        if state is None:
            continue
        tally = JurisdictionTally.objects.get(jurisdiction_id=state.jurisdiction_id)
        if tally.day != today:
            continue  # stale: the next recount counts the venue as it then is
        key = _bucket(state, _law_periods(state.jurisdiction_id), today)
        if key is None:
            continue  # outside the freshness window: in no figure
        entry = tally.counts.get(key)
        venues = (entry[1] if entry else 0) + step
        if venues < 0:  # the tally disagrees with the venues: never guess, recount
            JurisdictionTally.objects.filter(pk=tally.pk).update(day=None, version=tally.version + 1)
            continue
        if venues == 0:
            tally.counts.pop(key, None)
        else:
            tally.counts[key] = [entry[0] if entry else state.observed_on.isoformat(), venues]
        tally.version += 1
        tally.save(update_fields=["counts", "version"])


def _law_periods(jurisdiction_id: int) -> list[scoring.LawPeriod]:
    return [
        scoring.LawPeriod(
            status=law.status, effective_from=law.effective_from, effective_to=law.effective_to, coverage=(), pk=law.pk
        )
        for law in PostingLaw.objects.filter(jurisdiction_id=jurisdiction_id)
    ]


def _bucket(state: VenueState, periods: list[scoring.LawPeriod], today: datetime.date) -> str | None:
    """The count a venue belongs to for today's figures: its type, status, disputed flag and the law of its day.

    Two venues in one bucket are scored alike whatever their days, so each bucket keeps one representative day
    (its first member's) for the scoring module.
    """
    if not today - datetime.timedelta(days=FRESHNESS_DAYS) <= state.observed_on <= today:
        return None
    law = scoring.law_in_force(periods, state.observed_on)
    return f"{state.venue_type}|{state.status}|{int(state.disputed)}|{law.pk if law else 0}"


def forget(jurisdiction_ids: Iterable[int] | None = None) -> None:
    """Mark tallies for a recount (all of them by default): after bulk changes that did not go through changing()."""
    tallies = JurisdictionTally.objects.all()
    if jurisdiction_ids is not None:
        tallies = tallies.filter(jurisdiction_id__in=list(jurisdiction_ids))
    tallies.update(day=None)


def forget_on_law_change(sender: type, **kwargs: object) -> None:
    """Signal receiver: a law's dates decide which bucket a venue falls in, so its jurisdiction is recounted."""
    law = kwargs.get("instance")
    forget([law.jurisdiction_id] if isinstance(law, PostingLaw) else None)


def forget_on_venue_delete(sender: type, **kwargs: object) -> None:
    """Signal receiver: a deleted public venue leaves its jurisdiction's counts (deletions are rare: recount)."""
    venue = kwargs.get("instance")
    if isinstance(venue, Venue) and venue.current_status:
        forget([venue.jurisdiction_id])


def stale(today: datetime.date) -> bool:
    """Whether some jurisdiction's tally must be recounted before today's figures (one cheap query)."""
    return JurisdictionTally.objects.filter(day=today).count() < Jurisdiction.objects.count()


def current(today: datetime.date) -> dict[int, Counts]:
    """Jurisdiction id → today's counts: recounting, from the venues, the tallies not counted for today.

    Figures for another day (a letter dated otherwise, a test) are counted from the venues and kept nowhere, so they
    never take the place of the tallies the next request needs.
    """
    if today != timezone.localdate():
        return {
            jurisdiction_id: _counts(JurisdictionTally(day=today, counts=_count(jurisdiction_id, today)))
            for jurisdiction_id in Jurisdiction.objects.values_list("pk", flat=True)
        }
    tallies = {tally.jurisdiction_id: tally for tally in JurisdictionTally.objects.filter(day=today)}
    for jurisdiction_id in Jurisdiction.objects.exclude(pk__in=list(tallies)).values_list("pk", flat=True):
        tallies[jurisdiction_id] = recount(jurisdiction_id, today)
    return {jurisdiction_id: _counts(tally) for jurisdiction_id, tally in tallies.items()}


def _counts(tally: JurisdictionTally) -> Counts:
    venues, disputed = [], 0
    for key, (day, count) in tally.counts.items():
        venue_type, status, is_disputed, _law = key.split("|")
        if is_disputed == "1":
            disputed += count
        else:
            venues.append(scoring.VenueCount(venue_type, status, datetime.date.fromisoformat(day), count))
    return Counts(venues, disputed)


@transaction.atomic
def recount(jurisdiction_id: int, today: datetime.date) -> JurisdictionTally:
    """Count a jurisdiction's fresh public venues from scratch into its tally (under its lock)."""
    _lock({jurisdiction_id})
    counts = _count(jurisdiction_id, today)
    tally = JurisdictionTally.objects.get(jurisdiction_id=jurisdiction_id)
    tally.day, tally.counts, tally.version = today, counts, tally.version + 1
    tally.save(update_fields=["day", "counts", "version"])
    return tally


def _count(jurisdiction_id: int, today: datetime.date) -> dict[str, list[object]]:
    """A jurisdiction's fresh public venues folded into the day's buckets, counted from the venues."""
    periods = _law_periods(jurisdiction_id)
    since = today - datetime.timedelta(days=FRESHNESS_DAYS)
    rows = (
        Venue.objects.public()
        .filter(jurisdiction_id=jurisdiction_id, status_observed_on__gte=since, status_observed_on__lte=today)
        .values(*_STATE_FIELDS)
        .annotate(venues=Count("pk"))
        .order_by()
    )
    counts: dict[str, list[object]] = {}
    for row in rows:
        state = _state(row)
        key = _bucket(state, periods, today) if state else None
        if state is None or key is None:
            continue
        entry = counts.setdefault(key, [state.observed_on.isoformat(), 0])
        entry[1] += row["venues"]  # type: ignore[operator]
    return counts
