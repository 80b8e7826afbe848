"""The venue frame: every covered venue OpenStreetMap knows of, imported, kept up to date, and counted.

`import_features` writes what compliance/osm.py reads: it creates, updates, reopens and closes venues by their OSM
element, in batches, so an extract of any size streams through. `coverage` counts, per covered venue type, the
frame (N) and the venues in it with a fresh approved report (n).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from compliance import geo, scoreboard, tallies
from compliance.models import FrameImport, Jurisdiction, SampledVenue, Venue, VenueCluster, VenueType
from compliance.osm import Feature

ATTRIBUTION = "© OpenStreetMap contributors"
LICENCE = "ODbL 1.0"
LICENCE_URL = "https://www.openstreetmap.org/copyright"
BATCH_SIZE = 2_000


class UnknownVenueType(ValueError):
    """The tag rules name a venue type the reference data does not have; args[0] is its slug."""


@dataclass
class ImportSummary:
    """What an import did, counted."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reopened: int = 0
    closed: int = 0
    outside: int = 0
    other_jurisdiction: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def import_features(
    features: Iterable[Feature],
    *,
    source_name: str,
    extract_date: Callable[[], datetime.date | None] = lambda: None,
    jurisdiction: Jurisdiction | None = None,
) -> tuple[FrameImport, ImportSummary]:
    """Create or update a venue per feature; close frame venues the import's jurisdictions no longer hold.

    `extract_date` is asked once every feature is read (a reader may learn the extract's date only at the end);
    without one, the frame is as of today.
    """
    types = dict(VenueType.objects.values_list("slug", "pk"))
    jurisdictions = dict(Jurisdiction.objects.values_list("code", "pk"))
    run = FrameImport.objects.create(
        source_name=source_name[:200], jurisdiction=jurisdiction, as_of=timezone.localdate()
    )
    summary = ImportSummary()
    seen_in: set[int] = set()
    batch: list[tuple[Feature, int]] = []
    for feature in features:
        if feature.venue_type not in types:
            raise UnknownVenueType(feature.venue_type)
        try:
            code = geo.locate(feature.latitude, feature.longitude).code
        except geo.OutsideSupportedArea:
            summary.outside += 1
            continue
        if jurisdiction is not None and code != jurisdiction.code:
            summary.other_jurisdiction += 1
            continue
        jurisdiction_id = jurisdictions[code]
        seen_in.add(jurisdiction_id)
        batch.append((feature, jurisdiction_id))
        if len(batch) >= BATCH_SIZE:
            _write(batch, run, types, summary)
            batch = []
    if batch:
        _write(batch, run, types, summary)

    run.as_of = extract_date() or run.as_of
    scope = {jurisdiction.pk} if jurisdiction is not None else seen_in
    summary.closed = (
        Venue.objects.in_frame().filter(jurisdiction_id__in=scope).exclude(frame_import=run).update(closed_on=run.as_of)
    )
    if summary.created or summary.updated or summary.reopened or summary.closed:
        # A venue with a report that changed type or state counts elsewhere now: recount the jurisdictions seen.
        tallies.forget(seen_in | scope)
        scoreboard.invalidate()  # the figures and the frame's coverage changed
    run.finished_at = timezone.now()
    run.counts = summary.as_dict()
    run.save(update_fields=["as_of", "finished_at", "counts"])
    return run, summary


@transaction.atomic
def _write(
    batch: Sequence[tuple[Feature, int]], run: FrameImport, types: dict[str, int], summary: ImportSummary
) -> None:
    existing = {
        (venue.osm_type, venue.osm_id): venue
        for venue in Venue.objects.filter(osm_id__in=[feature.osm_id for feature, _ in batch])
    }
    created: list[Venue] = []
    changed: list[Venue] = []
    unchanged: list[int] = []
    for feature, jurisdiction_id in batch:
        venue = existing.get((feature.osm_type, feature.osm_id))
        fields = {
            "venue_type_id": types[feature.venue_type],
            "name": feature.name,
            "latitude": feature.latitude,
            "longitude": feature.longitude,
            "jurisdiction_id": jurisdiction_id,
            "osm_version": feature.version,
        }
        if venue is None:
            created.append(
                Venue(
                    **fields,
                    osm_type=feature.osm_type,
                    osm_id=feature.osm_id,
                    tile_key=geo.tile_key(feature.latitude, feature.longitude),
                    frame_import=run,
                )
            )
            continue
        if all(getattr(venue, name) == value for name, value in fields.items()) and venue.closed_on is None:
            unchanged.append(venue.pk)
            continue
        if venue.closed_on is not None:
            summary.reopened += 1
        else:
            summary.updated += 1
        moved = (venue.latitude, venue.longitude) != (feature.latitude, feature.longitude)
        if moved and venue.current_status:
            VenueCluster.objects.move(venue, venue.current_status, "")
        for name, value in fields.items():
            setattr(venue, name, value)
        venue.tile_key = geo.tile_key(feature.latitude, feature.longitude)
        venue.closed_on = None
        venue.frame_import = run
        if moved and venue.current_status:
            VenueCluster.objects.move(venue, "", venue.current_status)
        if moved:
            SampledVenue.objects.filter(venue=venue).update(latitude=venue.latitude, longitude=venue.longitude)
        changed.append(venue)
    Venue.objects.bulk_create(created, batch_size=BATCH_SIZE)
    Venue.objects.bulk_update(
        changed,
        [*_UPDATED_FIELDS, "tile_key", "closed_on", "frame_import"],
        batch_size=500,
    )
    Venue.objects.filter(pk__in=unchanged).update(frame_import=run)
    summary.created += len(created)
    summary.unchanged += len(unchanged)


_UPDATED_FIELDS = ["venue_type_id", "name", "latitude", "longitude", "jurisdiction_id", "osm_version"]


# --- coverage ---


@dataclass(frozen=True)
class StratumCoverage:
    """One covered venue type in one jurisdiction: how many venues the frame holds and how many were visited."""

    venue_type: str
    venue_type_name: str
    frame: int
    observed: int
    condition: str

    @property
    def share(self) -> float | None:
        """observed / frame, or None for an empty frame."""
        return self.observed / self.frame if self.frame else None

    def as_dict(self) -> dict[str, object]:
        return {
            "venue_type": self.venue_type,
            "venue_type_name": self.venue_type_name,
            "frame": self.frame,
            "observed": self.observed,
            "share": round(self.share, 4) if self.share is not None else None,
            "condition": self.condition,
        }


def _frame_counts(
    jurisdiction: Jurisdiction, slugs: list[str], since: datetime.date, today: datetime.date
) -> tuple[Counter[str], Counter[str]]:
    """Frame venues per venue type, and those with an approved report between since and today."""
    frame = Venue.objects.in_frame().filter(jurisdiction=jurisdiction, venue_type__slug__in=slugs)
    totals = Counter(dict(frame.values_list("venue_type__slug").annotate(n=models.Count("pk")).order_by()))
    observed = Counter(
        dict(
            frame.filter(status_observed_on__gte=since, status_observed_on__lte=today)
            .values_list("venue_type__slug")
            .annotate(n=models.Count("pk"))
            .order_by()
        )
    )
    return totals, observed


def coverage(
    jurisdiction: Jurisdiction, *, freshness_days: int, today: datetime.date | None = None
) -> list[StratumCoverage]:
    """Per venue type the law in force covers: frame venues N and those with an approved report in the window n."""
    today = today or timezone.localdate()
    law = jurisdiction.current_law(today)
    covered = list(law.coverage.select_related("venue_type")) if law is not None else []
    if not covered:
        return []
    slugs = sorted(c.venue_type.slug for c in covered)
    totals, observed = scoreboard.remembered(
        f"frame-coverage:{jurisdiction.pk}:{','.join(slugs)}:{freshness_days}:{today.isoformat()}",
        lambda: _frame_counts(jurisdiction, slugs, today - datetime.timedelta(days=freshness_days), today),
        jurisdiction=jurisdiction.pk,
    )
    return [
        StratumCoverage(
            venue_type=c.venue_type.slug,
            venue_type_name=c.venue_type.local_name,
            frame=totals[c.venue_type.slug],
            observed=observed[c.venue_type.slug],
            condition=c.condition,
        )
        for c in covered
    ]
