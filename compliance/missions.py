"""Sampling missions: drawing a jurisdiction's sample from the frame, sending volunteers to it, and what came back.

The writes that span many rows (a draw, a could-not-survey record) and the reads that gather a sample's progress
and design-based estimate live here; the statistics are compliance/sampling.py's.
"""

from __future__ import annotations

import datetime
import functools
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone, translation

from compliance import geo, sampling, scoreboard
from compliance.i18n import speaks_spanish
from compliance.models import (
    FrameImport,
    Jurisdiction,
    Observation,
    Sample,
    SampledVenue,
    SampleStratum,
    SurveyAttempt,
    Venue,
    VenueType,
)

SEARCH_RADII_M = (10_000, 50_000, 250_000, 1_000_000)
DEFAULT_LIMIT = 20


class NothingToSample(ValueError):
    """The jurisdiction has no law covering a venue type without condition, or no frame venue of those types."""


def sampled_venue_types(jurisdiction: Jurisdiction, on: datetime.date) -> list[VenueType]:
    """The strata: venue types the law in force covers without a condition (those the headline figure counts)."""
    law = jurisdiction.current_law(on)
    if law is None or not law.is_mandatory:
        return []
    return [covered.venue_type for covered in law.coverage.select_related("venue_type") if not covered.condition]


def frame_as_of(jurisdiction: Jurisdiction) -> datetime.date | None:
    """The date of the newest extract that holds the jurisdiction's frame venues."""
    imports = Venue.objects.in_frame().filter(jurisdiction=jurisdiction).values("frame_import")
    found: datetime.date | None = FrameImport.objects.filter(pk__in=imports).aggregate(latest=models.Max("as_of"))[
        "latest"
    ]
    return found


@transaction.atomic
def draw_sample(
    *,
    jurisdiction: Jurisdiction,
    seed: int | None = None,
    margin_of_error: float = sampling.DEFAULT_MARGIN_OF_ERROR,
    drawn_by: Any = None,
    today: datetime.date | None = None,
) -> Sample:
    """Draw and record a stratified random sample of the jurisdiction's frame; it supersedes the previous one."""
    today = today or timezone.localdate()
    venue_types = sampled_venue_types(jurisdiction, today)
    if not venue_types:
        raise NothingToSample(f"{jurisdiction.code} has no mandatory law covering a venue type without condition")
    frame: dict[str, list[int]] = {venue_type.slug: [] for venue_type in venue_types}
    rows = (
        Venue.objects.in_frame()
        .filter(jurisdiction=jurisdiction, venue_type__in=venue_types)
        .values_list("venue_type__slug", "pk")
    )
    for slug, pk in rows.iterator(chunk_size=10_000):
        frame[slug].append(pk)
    frame = {slug: ids for slug, ids in frame.items() if ids}
    if not frame:
        raise NothingToSample(f"{jurisdiction.code}'s frame holds no venue of the covered types: import it first")
    as_of = frame_as_of(jurisdiction) or today
    seed = seed if seed is not None else secrets.randbelow(2**31)
    sizes = {slug: sampling.stratum_size(len(ids), margin_of_error) for slug, ids in frame.items()}
    drawn = sampling.draw(frame, sizes, seed=seed)

    now = timezone.now()
    previous = Sample.objects.current().filter(jurisdiction=jurisdiction)
    SampledVenue.objects.filter(sample__in=previous).update(is_current=False)
    previous.update(superseded_at=now)
    sample = Sample.objects.create(
        jurisdiction=jurisdiction, seed=seed, frame_as_of=as_of, margin_of_error=margin_of_error, drawn_by=drawn_by
    )
    types = {venue_type.slug: venue_type for venue_type in venue_types}
    points = dict(
        (pk, (lat, lon))
        for pk, lat, lon in Venue.objects.filter(pk__in=[pk for ids in drawn.values() for pk in ids]).values_list(
            "pk", "latitude", "longitude"
        )
    )
    for slug in sorted(drawn):
        stratum = SampleStratum.objects.create(
            sample=sample, venue_type=types[slug], frame_size=len(frame[slug]), sample_size=len(drawn[slug])
        )
        SampledVenue.objects.bulk_create(
            [
                SampledVenue(
                    sample=sample,
                    stratum=stratum,
                    venue_id=pk,
                    draw_order=order,
                    latitude=points[pk][0],
                    longitude=points[pk][1],
                )
                for order, pk in enumerate(drawn[slug], start=1)
            ],
            batch_size=2_000,
        )
    transaction.on_commit(functools.partial(scoreboard.invalidate, [sample.jurisdiction_id]))
    return sample


def may_draw(user: Any) -> bool:
    """Who may draw a sample: staff (the draw page's rule; manage.py draw_sample for operators)."""
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))


@dataclass(frozen=True)
class Resurvey:
    """What the letter tracker suggests once a letter went out (issue 15: a letter suggests a re-survey of its
    state's venues): `draw` a sample now, the sample drawn since the letter is `under_way`, or `cannot_draw` (no
    mandatory law covering a venue type without condition, or no frame venue of those types)."""

    action: str
    sample_id: str | None = None
    sample_drawn_on: datetime.date | None = None


def resurvey_after(
    jurisdiction: Jurisdiction, sent_on: datetime.date, *, current: Sample | None, today: datetime.date | None = None
) -> Resurvey:
    """Whether a letter sent on a day calls for drawing a re-survey sample of the jurisdiction's venues.

    A current sample (`current`, None when there is none) drawn on or after the day the letter went out already
    measures what came after it: under way.
    """
    sample = current
    if sample is not None and timezone.localdate(sample.drawn_at) >= sent_on:
        return Resurvey("under_way", str(sample.public_id), timezone.localdate(sample.drawn_at))
    venue_types = sampled_venue_types(jurisdiction, today or timezone.localdate())
    if (
        not venue_types
        or not Venue.objects.in_frame().filter(jurisdiction=jurisdiction, venue_type__in=venue_types).exists()
    ):
        return Resurvey("cannot_draw")
    return Resurvey("draw")


def record_could_not_survey(
    *, venue: Venue, reason: str, attempted_on: datetime.date, submitter: Any = None
) -> SurveyAttempt:
    """Record that a visit found no way to survey a venue (non-response, counted in its sample's progress)."""
    attempt = SurveyAttempt.objects.create(
        venue=venue, reason=reason, attempted_on=attempted_on, submitter=submitter if submitter else None
    )
    transaction.on_commit(functools.partial(scoreboard.invalidate, [venue.jurisdiction_id]))
    return attempt


# --- missions near a volunteer ---


@dataclass(frozen=True)
class Mission:
    """A sampled venue that needs a visit, and how far it is."""

    venue_id: str  # the venue's public id, as in every public answer
    name: str
    venue_type: str
    venue_type_name: str
    jurisdiction: str
    latitude: float
    longitude: float
    distance_m: float
    last_observed_on: datetime.date | None
    # The day the venue's owner says the sign went up, when a moderator approved the claim and no volunteer has
    # been back since: such a venue comes first (compliance/owners.py).
    owner_reports_posted_on: datetime.date | None = None

    @property
    def reason(self) -> str:
        if self.owner_reports_posted_on:
            return "owner_reports_posted"
        return "revisit" if self.last_observed_on else "never_visited"


# The hot read of "survey near me": one statement per search radius, written out because the ORM's compiling of the
# equivalent queryset cost more than the database's work. It reads the sampled venues' own point index
# (sampled_current_point), so the size of the frame does not enter it.
_NEARBY_SQL = """
    SELECT v.public_id, v.name, vt.slug, vt.name, vt.name_es, j.code, v.latitude, v.longitude, v.status_observed_on
    FROM compliance_sampledvenue sv
    JOIN compliance_sample s ON s.id = sv.sample_id
    JOIN compliance_venue v ON v.id = sv.venue_id
    JOIN compliance_venuetype vt ON vt.id = v.venue_type_id
    JOIN compliance_jurisdiction j ON j.id = v.jurisdiction_id
    WHERE sv.is_current = %s AND sv.latitude BETWEEN %s AND %s AND ({longitude})
      AND v.closed_on IS NULL AND (v.status_observed_on IS NULL OR v.status_observed_on < %s)
      AND NOT EXISTS (
        SELECT 1 FROM compliance_surveyattempt a WHERE a.venue_id = sv.venue_id AND a.created_at >= s.drawn_at
      )
"""
_WITHIN = "sv.longitude BETWEEN %s AND %s"
_ACROSS_180 = "sv.longitude >= %s OR sv.longitude <= %s"


def nearby(
    latitude: float,
    longitude: float,
    *,
    today: datetime.date | None = None,
    freshness_days: int = scoreboard.FRESHNESS_DAYS,
    limit: int = DEFAULT_LIMIT,
) -> list[Mission]:
    """The venues that need a visit near a point. First those whose owner reports the sign posted (an approved
    claim no volunteer has checked yet), nearest first; then the nearest sampled venues of current samples: open,
    with no approved report in the window, and no could-not-survey record since their sample was drawn. Searches
    wider until `limit`."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=freshness_days)
    found: list[Mission] = []
    radius = SEARCH_RADII_M[0]
    with connection.cursor() as cursor:
        for radius in SEARCH_RADII_M:
            south, west, north, east = geo.bbox_around(latitude, longitude, radius)
            sql = _NEARBY_SQL.format(longitude=_WITHIN if west <= east else _ACROSS_180)
            cursor.execute(sql, [True, south, north, west, east, since])
            found = []
            for venue_id, name, slug, type_name, type_name_es, code, lat, lon, observed_on in cursor.fetchall():
                distance = geo.distance_m(latitude, longitude, lat, lon)
                if distance <= radius:
                    found.append(
                        Mission(
                            venue_id=str(uuid.UUID(str(venue_id))),  # SQLite gives hex, PostgreSQL a UUID
                            name=name,
                            venue_type=slug,
                            venue_type_name=_local(type_name, type_name_es),
                            jurisdiction=code,
                            latitude=lat,
                            longitude=lon,
                            distance_m=round(distance, 1),
                            last_observed_on=_as_date(observed_on),
                        )
                    )
            if len(found) >= limit:
                break
    found.sort(key=lambda mission: (mission.distance_m, mission.venue_id))
    claimed = _owner_claims_near(latitude, longitude, radius)
    first = {mission.venue_id for mission in claimed}
    return [*claimed, *(mission for mission in found if mission.venue_id not in first)][:limit]


def _owner_claims_near(latitude: float, longitude: float, radius_m: float) -> list[Mission]:
    """Open venues within the radius whose owner's approved claim awaits a volunteer's visit, nearest first."""
    nearby_venues = Venue.objects.near(latitude, longitude, radius_m).filter(
        closed_on__isnull=True, merged_into__isnull=True
    )
    claims = (
        Observation.objects.open_owner_claims()
        .filter(review_status=Observation.ReviewStatus.APPROVED, venue__in=nearby_venues)
        .select_related("venue__venue_type", "venue__jurisdiction")
        .order_by("observed_on", "pk")
    )
    missions: dict[str, Mission] = {}
    for claim in claims:
        venue = claim.venue
        distance = geo.distance_m(latitude, longitude, venue.latitude, venue.longitude)
        if distance <= radius_m:
            missions[str(venue.public_id)] = Mission(
                venue_id=str(venue.public_id),
                name=venue.name,
                venue_type=venue.venue_type.slug,
                venue_type_name=venue.venue_type.local_name,
                jurisdiction=venue.jurisdiction.code,
                latitude=venue.latitude,
                longitude=venue.longitude,
                distance_m=round(distance, 1),
                last_observed_on=venue.status_observed_on,
                owner_reports_posted_on=claim.observed_on,
            )
    return sorted(missions.values(), key=lambda mission: (mission.distance_m, mission.venue_id))


def _as_date(value: datetime.date | str | None) -> datetime.date | None:
    """A date column read by raw SQL: SQLite hands back its ISO text, PostgreSQL a date."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _local(name: str, name_es: str) -> str:
    return name_es if name_es and speaks_spanish() else name


# --- a sample's progress and estimate ---


@dataclass(frozen=True)
class StratumProgress:
    """How far a sample's stratum has got: drawn, visited (fresh approved report), posted, could not survey."""

    venue_type: str
    venue_type_name: str
    frame: int
    sampled: int
    completed: int
    posted: int
    could_not_survey: int

    @property
    def remaining(self) -> int:
        return self.sampled - self.completed - self.could_not_survey

    def visits(self) -> sampling.StratumVisits:
        return sampling.StratumVisits(
            self.venue_type, self.frame, self.sampled, self.completed, self.posted, self.could_not_survey
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "venue_type": self.venue_type,
            "venue_type_name": self.venue_type_name,
            "frame": self.frame,
            "sampled": self.sampled,
            "completed": self.completed,
            "posted": self.posted,
            "could_not_survey": self.could_not_survey,
            "remaining": self.remaining,
        }


def progress(
    sample: Sample, *, today: datetime.date | None = None, freshness_days: int = scoreboard.FRESHNESS_DAYS
) -> list[StratumProgress]:
    """Per stratum of the sample: completed visits (an approved report in the window), posted, non-response."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=freshness_days)
    draws = SampledVenue.objects.filter(sample=sample)
    fresh = models.Q(venue__status_observed_on__gte=since, venue__status_observed_on__lte=today)
    completed = Counter(dict(draws.filter(fresh).values_list("stratum_id").annotate(n=models.Count("pk")).order_by()))
    posted = Counter(
        dict(
            draws.filter(fresh, venue__current_status="posted")
            .values_list("stratum_id")
            .annotate(n=models.Count("pk"))
            .order_by()
        )
    )
    attempted = SurveyAttempt.objects.filter(venue=models.OuterRef("venue"), created_at__gte=sample.drawn_at)
    could_not = Counter(
        dict(
            draws.exclude(fresh)
            .filter(models.Exists(attempted))
            .values_list("stratum_id")
            .annotate(n=models.Count("pk"))
            .order_by()
        )
    )
    return [
        StratumProgress(
            venue_type=stratum.venue_type.slug,
            venue_type_name=stratum.venue_type.local_name,
            frame=stratum.frame_size,
            sampled=stratum.sample_size,
            completed=completed[stratum.pk],
            posted=posted[stratum.pk],
            could_not_survey=could_not[stratum.pk],
        )
        for stratum in sample.strata.select_related("venue_type")
    ]


def summary(sample: Sample, *, today: datetime.date | None = None) -> dict[str, object]:
    """A sample as the public sees it: how it was drawn, its progress per stratum, and the estimate when ready."""
    strata = progress(sample, today=today)
    visits = [stratum.visits() for stratum in strata]
    estimate = sampling.stratified_estimate(visits).as_dict() if sampling.is_estimable(visits) else None
    return {
        "id": str(sample.public_id),
        "jurisdiction": sample.jurisdiction.code,
        "seed": sample.seed,
        "frame_as_of": sample.frame_as_of.isoformat(),
        "drawn_on": timezone.localdate(sample.drawn_at).isoformat(),
        "margin_of_error": sample.margin_of_error,
        "strata": [stratum.as_dict() for stratum in strata],
        "completed": sum(stratum.completed for stratum in strata),
        "could_not_survey": sum(stratum.could_not_survey for stratum in strata),
        "estimate": estimate,
    }


def current_summaries(today: datetime.date | None = None) -> dict[str, dict[str, object]]:
    """Jurisdiction code → the summary of its current sample, for every jurisdiction that has one."""
    samples = Sample.objects.current().select_related("jurisdiction")
    return {sample.jurisdiction.code: summary(sample, today=today) for sample in samples}


def _remembered_summary(sample: Sample, today: datetime.date) -> dict[str, object]:
    """summary(), counted once per state of the data (samples, visits and survey attempts all change the stamp)."""
    language = translation.get_language()  # the strata carry their venue types' names in the page's language
    return scoreboard.remembered(
        f"sample-summary:{sample.pk}:{today.isoformat()}:{language}",
        lambda: summary(sample, today=today),
        jurisdiction=sample.jurisdiction_id,
    )


def page_context(jurisdiction: Jurisdiction, *, today: datetime.date | None = None) -> dict[str, object]:
    """What a jurisdiction's page and report show of its frame and sample (the _frame_and_sample partial)."""
    from compliance import frame  # frame imports this module's neighbours; keep the import graph one-way

    sample = Sample.objects.current().filter(jurisdiction=jurisdiction).select_related("jurisdiction").first()
    return {
        "frame_coverage": frame.coverage(jurisdiction, freshness_days=scoreboard.FRESHNESS_DAYS, today=today),
        "frame_sample": _remembered_summary(sample, today or timezone.localdate()) if sample else None,
        "frame_attribution": frame.ATTRIBUTION,
        "frame_licence_url": frame.LICENCE_URL,
        "sampling_method": sampling.METHOD,
        "freshness_months": round(scoreboard.FRESHNESS_DAYS / 30.4),
    }
