"""Synthetic demo data: venues and approved observations across many states, every row marked is_demo.

For a newcomer's first look (a living map) and for benchmarks (a million observations, bulk-inserted). Nothing
here pretends to be real: pages show a "demo" badge wherever these rows appear.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from compliance import bulk, geo, laws, scoreboard, tallies
from compliance.models import Jurisdiction, Observation, PostingLaw, SignStatus, Venue, VenueCluster, VenueType

DEFAULT_VENUES = 1_500
BATCH = 5_000
HISTORY_DAYS = 900  # a little beyond the 24-month freshness window, so some reports are stale
# Demo venues of these types are spread everywhere, whatever the law covers: they are what volunteers visit most.
COMMON_TYPES = ("truck_stop", "bar_liquor_licensee", "hotel_motel", "massage_establishment", "bus_station")


@dataclass(frozen=True)
class DemoSummary:
    venues: int
    observations: int
    clusters: int

    def __str__(self) -> str:
        return (
            f"Demo data: {self.venues:,} venues, {self.observations:,} approved observations, "
            f"{self.clusters:,} map cluster rows (all marked demo)."
        )


def _random_point(rng: random.Random, code: str, bounds: tuple[float, float, float, float]) -> tuple[float, float]:
    west, south, east, north = bounds
    for _ in range(10_000):
        lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        try:
            if geo.locate(lat, lon).code == code:
                return lat, lon
        except geo.OutsideSupportedArea:
            continue
    raise RuntimeError(f"could not place a point in {code}")


def _plan(rng: random.Random) -> list[tuple[Jurisdiction, list[VenueType], float]]:
    """Which jurisdictions get demo venues, of which types, and how often their signs are posted."""
    venue_types = {venue_type.slug: venue_type for venue_type in VenueType.objects.all()}
    common = [venue_types[slug] for slug in COMMON_TYPES if slug in venue_types]
    plan = []
    for jurisdiction in Jurisdiction.objects.with_current_law().filter(kind__in=["state", "district"]):
        law = jurisdiction.current_law()
        covered = [venue_types[item.slug] for item in laws.covered_venue_types(law)]
        types = list({venue_type.pk: venue_type for venue_type in covered + common}.values())
        mandatory = law is not None and law.status == PostingLaw.Status.MANDATORY
        posted_share = rng.uniform(0.45, 0.92) if mandatory else rng.uniform(0.05, 0.35)
        plan.append((jurisdiction, types, posted_share))
    return plan


def _bounds() -> dict[str, tuple[float, float, float, float]]:
    import shapely

    # Alaska's shape crosses the antimeridian: keep its demo venues on the mainland.
    bounds = {code: tuple(shapely.bounds(shape)) for code, shape in geo.load_boundaries().items()}
    bounds["AK"] = (-165.0, 55.0, -140.0, 70.0)
    return bounds  # type: ignore[return-value]


def _history(
    rng: random.Random, per_venue: float, posted_share: float, today: datetime.date
) -> list[tuple[str, datetime.date]]:
    """A venue's approved reports, oldest first: (sign status, date)."""
    count = max(1, round(rng.expovariate(1 / per_venue))) if per_venue > 1 else 1
    days = sorted(rng.randrange(HISTORY_DAYS) for _ in range(count))
    history = []
    for days_ago in reversed(days):
        draw = rng.random()
        if draw < posted_share:
            status = SignStatus.POSTED
        elif draw < posted_share + (1 - posted_share) / 3:
            status = SignStatus.DEFICIENT
        else:
            status = SignStatus.MISSING
        history.append((str(status), today - datetime.timedelta(days=days_ago)))
    return history


VENUE_FIELDS = (
    "venue_type_id",
    "name",
    "latitude",
    "longitude",
    "jurisdiction_id",
    "tile_key",
    "current_status",
    "status_observed_on",
    "is_demo",
)
OBSERVATION_FIELDS = (
    "venue_id",
    "sign_status",
    "observed_on",
    "captured_latitude",
    "captured_longitude",
    "location_source",
    "review_status",
    "receipt",
    "published_at",
    "is_demo",
)

VenueRow = tuple[int, str, float, float, int, int, str, datetime.date, bool]


def _venue_batches(
    rng: random.Random, venues: int, observations_per_venue: float, today: datetime.date
) -> Iterator[list[tuple[VenueRow, list[tuple[str, datetime.date]]]]]:
    plan = _plan(rng)
    bounds = _bounds()
    batch: list[tuple[VenueRow, list[tuple[str, datetime.date]]]] = []
    for number in range(venues):
        jurisdiction, types, posted_share = plan[number % len(plan)]
        venue_type = rng.choice(types)
        lat, lon = _random_point(rng, jurisdiction.code, bounds[jurisdiction.code])
        history = _history(rng, observations_per_venue, posted_share, today)
        latest_status, latest_date = history[-1]
        row = (
            venue_type.pk,
            f"Demo {venue_type.name} {number + 1}",
            lat,
            lon,
            jurisdiction.pk,
            geo.tile_key(lat, lon),
            latest_status,
            latest_date,
            True,
        )
        batch.append((row, history))
        if len(batch) >= BATCH // max(1, int(observations_per_venue)):
            yield batch
            batch = []
    if batch:
        yield batch


def load(*, venues: int = DEFAULT_VENUES, observations_per_venue: float = 3.0, seed: int = 2026) -> DemoSummary:
    """Bulk-insert synthetic venues with their approved observations (COPY on PostgreSQL), then recount the map
    clusters; the figures recount on their next build."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    today = timezone.localdate()
    now = timezone.now()
    venue_count = observation_count = 0
    device, approved = str(Observation.LocationSource.DEVICE), str(Observation.ReviewStatus.APPROVED)
    for batch in _venue_batches(rng, venues, observations_per_venue, today):
        with transaction.atomic():
            keys = bulk.insert_rows(Venue, VENUE_FIELDS, [row for row, _ in batch])
            rows = [
                (key, status, observed_on, row[2], row[3], device, approved, secrets.token_urlsafe(24), now, True)
                for key, (row, history) in zip(keys, batch, strict=True)
                for status, observed_on in history
            ]
            bulk.insert_rows(Observation, OBSERVATION_FIELDS, rows)
        venue_count += len(batch)
        observation_count += len(rows)
    clusters = VenueCluster.objects.rebuild()
    tallies.forget()
    scoreboard.invalidate()
    return DemoSummary(venue_count, observation_count, clusters)


@transaction.atomic
def clear() -> int:
    """Remove every demo venue and observation; returns how many venues went."""
    Observation.objects.filter(is_demo=True).delete()
    removed, _ = Venue.objects.filter(is_demo=True).delete()
    VenueCluster.objects.rebuild()
    tallies.forget()
    scoreboard.invalidate()
    return removed
