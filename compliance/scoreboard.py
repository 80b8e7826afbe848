"""Compliance figures for every jurisdiction, computed from the stored per-venue status and kept in the cache.

The payload (JSON bytes and its ETag) is built once and then served from the cache, so a conditional GET can answer
304 without touching the database. Approving an observation invalidates it; so does a new day, since the freshness
window moves.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import hashlib
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from django.core.cache import cache
from django.utils import timezone

from compliance import laws, scoring, tallies
from compliance.models import Jurisdiction, PostingLaw, Venue

FRESHNESS_DAYS = tallies.FRESHNESS_DAYS  # two years: older reports say little about the wall today
MIN_N = 10
_GENERATION_KEY = "scoreboard:generation"  # every change of the data
_EVERYWHERE_KEY = "scoreboard:generation:everywhere"  # changes that may touch any jurisdiction (see stamp_of)
_LAST_GOOD_KEY = "scoreboard:last-good"
BUILD_LOCK_SECONDS = 60  # a process that died while building holds up no one for longer
MISSING = object()  # what recall() answers for a key nothing is kept under
T = TypeVar("T")


@dataclass(frozen=True)
class Scoreboard:
    """The figures of every jurisdiction, as a dict and as the exact bytes served, with their ETag."""

    data: dict[str, Any]
    body: bytes
    etag: str


def local_today() -> datetime.date:
    """timezone.localdate() in the project's time zone, worked out once a day: every kept answer asks for it.

    (localdate() reads the active time zone through a context-local and converts the clock each time: a tenth of a
    kept answer's cost in Python.)
    """
    global _today
    zone = timezone.get_default_timezone()
    known = _today
    if known is not None and known[0] is zone and time.time() < known[2]:
        return known[1]
    day = datetime.datetime.now(zone).date()
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    _today = (zone, day, midnight.timestamp())
    return day


_today: tuple[datetime.tzinfo, datetime.date, float] | None = None


def stamp(today: datetime.date | None = None) -> str:
    """Names the figures' current state: it changes with the day and with every invalidate().

    Anything derived from the figures (the scoreboard itself, report PDFs, signs) can be cached under it.
    """
    return f"{(today or local_today()).isoformat()}:{generation(_GENERATION_KEY)}"


# A part of the data that changes apart from the rest: a jurisdiction (its id), or the reports that skipped the queue
# everywhere (approved at once, or drawn for audit), whose national rates every report quotes
# (moderation.measured_accuracy): a moderation from the queue, the usual kind, leaves those alone.
Part = int | str
ROUTED_BY_TRUST: Part = "routed-by-trust"


def stamp_of(*parts: Part, today: datetime.date | None = None) -> str:
    """Names the state of some parts of the data (one jurisdiction's, say): it changes with the day, with every
    invalidate() that may touch everything, and with those that name one of the parts, but not with a moderation in
    another state."""
    keys = [_EVERYWHERE_KEY, *(_part_key(part) for part in parts)]
    values = cache.get_many(keys)
    counters = ":".join(str(values.get(key) or generation(key)) for key in keys)
    return f"{(today or local_today()).isoformat()}:{counters}"


def _part_key(part: Part) -> str:
    return f"{_GENERATION_KEY}:part:{part}"


def generation(key: str) -> int:
    """A counter that names a state of some data (advance() moves it); read from the cache, made if missing."""
    value = cache.get(key)
    if value is None:
        # A fresh value, not 1: keys made under an evicted counter must never be read again.
        cache.add(key, time.time_ns(), timeout=None)
        value = cache.get(key, 0)
    return int(value)


def advance(key: str) -> None:
    """Move a generation() counter on: every key made under it is never read again."""
    try:
        cache.incr(key)
    except ValueError:  # the counter was evicted meanwhile
        cache.set(key, time.time_ns(), timeout=None)


class _Recent:
    """This process's copy of the values it read or kept last, by key: an LRU bounded in bytes.

    Only for keys that name their value for good (every key here ends with the stamp): a value under such a key never
    changes, so the copy can never be stale, and a worker reads the shared cache once per key instead of once per
    request (with a database cache, every read is a query). Values are bytes, or tuples that start with bytes (kept
    answers); their bytes count against the budget.
    """

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()  # runserver and threaded workers share it

    def get(self, key: str) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return MISSING
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: str, value: Any) -> None:
        size = len(value) if isinstance(value, bytes) else len(value[0]) if isinstance(value, tuple) else 0
        size += len(key) + 200  # the key and the bookkeeping, so that many small values are bounded too
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key)[1]
            if size > self._max_bytes // 8:
                return  # one huge value would push out everything else
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self._max_bytes:
                self._bytes -= self._items.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


_recent = _Recent(max_bytes=32 * 1024 * 1024)


def recall(key: str) -> Any:
    """What was kept under a key that names its value for good (see _Recent): this process's copy, else the shared
    cache's; MISSING when neither has it."""
    value = _recent.get(key)
    if value is MISSING:
        value = cache.get(key, MISSING)
        if value is not MISSING:
            _recent.put(key, value)
    return value


def keep(key: str, value: bytes | tuple[bytes, Any, Any], *, timeout: int) -> None:
    """Keep a value under a key that names it for good, in the shared cache and in this process."""
    cache.set(key, value, timeout=timeout)
    _recent.put(key, value)


def remembered(name: str, compute: Callable[[], T], *, jurisdiction: Part | None = None) -> T:
    """compute()'s value for the data as it is now: computed once per change of the figures' stamp, then cached.

    For what public pages show beside the figures (a state's trend, its frame coverage, the audit rates): costly to
    count at ten million reports, and changed only by what changes the stamp. The value must not depend on the
    language or the person asking; name must say everything else it depends on. Each call gets its own copy (kept
    pickled), so a caller that changes what it got changes nothing for the next one.

    A value counted from one jurisdiction's data alone names it (`jurisdiction`, its key): it is then kept under that
    jurisdiction's stamp_of(), and a moderation in another state does not make it be counted again (likewise for
    the other parts: ROUTED_BY_TRUST).
    """
    # Hashed, as names can be long; not "remembered:", the prefix of unpickled values before, so none is misread.
    state = stamp() if jurisdiction is None else stamp_of(jurisdiction)
    key = f"kept-value:{hashlib.sha256(name.encode()).hexdigest()[:40]}:{state}"
    kept = recall(key)
    if kept is MISSING:
        value = compute()
        keep(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), timeout=24 * 3600)
        return value
    return pickle.loads(kept)  # type: ignore[no-any-return]  # noqa: S301 -- bytes this process or a peer pickled


def invalidate(parts: Iterable[Part] | None = None) -> None:
    """Forget the cached figures (after a moderation, or an edit of the law data).

    `parts`: the only parts of the data that changed (a moderation's jurisdictions, a sample's), so that what is
    remembered of the others (their trend, coverage, report rows) is kept; None when any may have changed. The
    figures themselves and every answer kept under stamp() change either way.
    """
    advance(_GENERATION_KEY)
    if parts is None:
        advance(_EVERYWHERE_KEY)
        return
    for part in set(parts):
        advance(_part_key(part))


def forget_on_change(sender: type, **kwargs: object) -> None:
    """Signal receiver: law data changed, so the figures and everything quoting them must be rebuilt."""
    invalidate()


# This process's copy of the figures under their stamp. The shared cache holds only the bytes (cheap to copy);
# rebuilding the dict and unpickling on every request would cost more than serving the answer.
_local: dict[str, Scoreboard] = {}


def current(today: datetime.date | None = None) -> Scoreboard:
    """The figures for today: from this process's copy, else the shared cache, else built (and cached)."""
    today = today or local_today()
    key = f"scoreboard:{stamp(today)}"
    board = _local.get(key)
    if board is not None:
        return board
    cached = cache.get(key)
    if cached is None:
        last_good = None if _todays_only.get() else _last_good_while_recounting(key, today)
        if last_good is not None:
            _note_last_good()
            return last_good
        building = f"{key}:building"
        if (
            not cache.add(building, True, timeout=BUILD_LOCK_SECONDS)
            and today == local_today()
            and not _todays_only.get()
        ):
            # Another process is building these figures (a change just came): the last ones meanwhile, rather than
            # every worker counting the same figures at once.
            last = cache.get(_LAST_GOOD_KEY)
            if last is not None:
                _note_last_good()
                return Scoreboard(data=orjson.loads(last[0]), body=last[0], etag=last[1])
        try:
            board = _serialise(build(today))
            cache.set(key, (board.body, board.etag), timeout=24 * 3600)
            cache.set(_LAST_GOOD_KEY, (board.body, board.etag), timeout=None)
        finally:
            cache.delete(building)
    else:
        body, etag = cached
        board = Scoreboard(data=orjson.loads(body), body=body, etag=etag)
    _local.clear()
    _local[key] = board
    return board


@dataclass
class Watch:
    """What noticing_last_good() saw: whether current() answered with the figures from before a change."""

    saw_last_good: bool = False


_watch: contextvars.ContextVar[Watch | None] = contextvars.ContextVar("scoreboard_watch", default=None)


@contextlib.contextmanager
def noticing_last_good() -> Iterator[Watch]:
    """Notes whether current() answered, within the block, with the last figures instead of today's (another
    process or a worker is building those): whatever is built from them must not be kept under the new stamp, or it
    would outlive the figures it missed until the next change."""
    outer = _watch.get()
    watch = Watch()
    token = _watch.set(watch)
    try:
        yield watch
    finally:
        _watch.reset(token)
        if outer is not None and watch.saw_last_good:  # an answer built within another sees it too
            outer.saw_last_good = True


_todays_only: contextvars.ContextVar[bool] = contextvars.ContextVar("scoreboard_todays_only", default=False)


@contextlib.contextmanager
def todays_figures_only() -> Iterator[None]:
    """Within it, current() builds today's figures when they are not built yet, never answering with the last ones:
    for a task worker drawing a document that is kept under today's stamp."""
    token = _todays_only.set(True)
    try:
        yield
    finally:
        _todays_only.reset(token)


def _note_last_good() -> None:
    watch = _watch.get()
    if watch is not None:
        watch.saw_last_good = True


def _last_good_while_recounting(key: str, today: datetime.date) -> Scoreboard | None:
    """With a background worker, a recount from the venues (a new day, a law's dates edited, a bulk load) runs
    there, and requests meanwhile get the last figures built; None when the figures are cheap to build here.

    After a moderation only its jurisdiction's tally changed, which costs no recount: those figures are built at
    once, so a volunteer sees an approved report counted straight away.
    """
    from compliance import tasks  # tasks imports modules that import this one

    if not tasks.in_background() or not tallies.stale(today):
        return None
    last = cache.get(_LAST_GOOD_KEY)
    if last is None:  # nothing built yet on this deployment: build it here, once
        return None
    if cache.add(f"{key}:queued", True, timeout=10 * 60):
        tasks.rebuild_scoreboard.enqueue()
    body, etag = last
    return Scoreboard(data=orjson.loads(body), body=body, etag=etag)


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
    """Score every jurisdiction from its tally of fresh public venues (disputed ones aside).

    A moderation keeps its jurisdiction's tally current (tallies.changing), so this reads a few dozen counts per
    jurisdiction however many venues there are; only a tally not yet counted today is recounted from the venues.
    """
    tallied = tallies.current(today)
    from compliance import missions  # missions records draws through this module: import it late

    samples = missions.current_summaries(today)
    jurisdictions = {}
    for jurisdiction in Jurisdiction.objects.with_current_law().order_by("code"):
        periods = law_periods(list(jurisdiction.laws.all()))
        law = jurisdiction.current_law(today)
        counts = tallied.get(jurisdiction.pk, tallies.Counts([], 0))
        score = scoring.evaluate(counts.venues, periods, today=today, freshness_days=FRESHNESS_DAYS, min_n=MIN_N)
        jurisdictions[jurisdiction.code] = {
            "name": jurisdiction.name,
            "law_verified": bool(law and laws.is_verified(law)),
            "citation": laws.citation_to_print(law) if law else "",
            **scoring.as_dict(score),
            # Left out of every figure above until a later visit or a moderator settles them (disputes.py).
            "disputed_venues": counts.disputed,
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
    """Compliance quarter by quarter: each venue counted once per quarter, by its latest approved observation in it.

    Reads every report of the last two years in the jurisdiction: remembered until the data changes.
    """
    today = today or local_today()
    return remembered(
        f"trend:{jurisdiction.pk}:{quarters}:{today.isoformat()}",
        lambda: _trend(jurisdiction, quarters, today),
        jurisdiction=jurisdiction.pk,
    )


def _trend(jurisdiction: Jurisdiction, quarters: int, today: datetime.date) -> list[Quarter]:
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
