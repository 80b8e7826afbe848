"""A jurisdiction's compliance report for its Attorney General office: the law, the method, the figures, the trend,
the venues and a sample of the photographic evidence; its CSV and GeoJSON exports; and its PDF.

Everything here is built from approved observations only and carries no reporter identity: no submitter, receipt,
capture point or capture time, and no volunteer's free-text notes. A venue's point is the venue's, never where the
volunteer stood. Counts are always complete; only the venue table and the evidence pages are bounded, so that the
report of a state with thousands of venues stays a readable, printable size.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import Storage, default_storage
from django.db.models import Case, IntegerField, JSONField, OuterRef, Subquery, Value, When
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import timezone
from weasyprint.urls import URLFetcher, URLFetcherResponse

from compliance import disputes, missions, moderation, outreach, scoreboard, scoring, trust
from compliance.models import (
    Jurisdiction,
    Observation,
    Photo,
    PostingLaw,
    SignReading,
    SignStatus,
    Venue,
    VenueType,
)
from compliance.pdf import HTML

MAX_VENUE_ROWS = 100  # the rest is in the CSV export
MAX_EVIDENCE = 24  # photos on the evidence pages: about two printed pages of thumbnails
# The order the venue table and the evidence pages follow: what an enforcement office acts on first.
STATUS_ORDER = (SignStatus.MISSING, SignStatus.DEFICIENT, SignStatus.POSTED)
# A spreadsheet evaluates a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FIELDS = (
    "id",
    "venue_type",
    "name",
    "latitude",
    "longitude",
    "status",
    "observed_on",
    "deficiencies",
    "demo",
    "disputed",
)

T = TypeVar("T")


@dataclass(frozen=True)
class VenueRow:
    """A line of the report's venue table."""

    public_id: uuid.UUID
    venue_type: str
    name: str
    status: str
    status_label: str
    observed_on: datetime.date | None
    is_demo: bool
    disputed: bool = False  # recent reports disagree: listed, but not in the figures


@dataclass(frozen=True)
class Evidence:
    """An approved photo on the evidence pages, with what was seen; nothing about who took it or exactly when."""

    photo_id: uuid.UUID
    venue_type: str
    status: str
    status_label: str
    observed_on: datetime.date | None
    deficiencies: tuple[str, ...]
    is_demo: bool


@dataclass(frozen=True)
class MachineReading:
    """How the machine reading of the photos bears on the counted venues (each by its latest approved report).

    `legible` of the `posted` signs (posted or deficient) had the number the law asks for read on their photo;
    the reading agreed with the moderator on `agreed` of the `compared` reports it read: both found the right
    number on the sign, or neither did (missing sign, wrong or missing number confirmed by the moderator).
    """

    posted: int
    read: int
    legible: int
    compared: int
    agreed: int

    def as_dict(self) -> dict[str, int]:
        return {
            "posted": self.posted,
            "read": self.read,
            "legible": self.legible,
            "compared": self.compared,
            "agreed": self.agreed,
        }


# What a moderator confirms when the sign does not carry the right number.
NUMBER_DEFICIENCIES = frozenset({"wrong_number", "missing_number"})


def machine_reading(jurisdiction: Jurisdiction, *, since: datetime.date) -> MachineReading:
    """The sign-reading evidence for a jurisdiction's venues counted since a date: legibility and agreement."""
    latest = (
        Observation.objects.filter(
            pk__in=Venue.objects.public()
            .filter(jurisdiction=jurisdiction, status_observed_on__gte=since, latest_photo__isnull=False)
            .values("latest_photo__observation")
        )
        .only("sign_status", "deficiencies")
        .prefetch_related("photos__sign_reading")
    )
    posted = read = legible = compared = agreed = 0
    for observation in latest:
        readings = [reading for photo in observation.photos.all() if (reading := _reading(photo)) is not None]
        sign_up = observation.sign_status != SignStatus.MISSING
        posted += sign_up
        if not readings:
            continue
        machine_says_right = any(reading.number_legible for reading in readings)
        moderator_says_right = sign_up and not NUMBER_DEFICIENCIES.intersection(observation.deficiencies)
        if sign_up:
            read += 1
            legible += machine_says_right
        compared += 1
        agreed += machine_says_right == moderator_says_right
    return MachineReading(posted, read, legible, compared, agreed)


def _reading(photo: Photo) -> SignReading | None:
    try:
        return photo.sign_reading
    except SignReading.DoesNotExist:
        return None


@dataclass(frozen=True)
class Report:
    """Everything the report template needs for one jurisdiction on one day."""

    jurisdiction: Jurisdiction
    law: PostingLaw | None
    today: datetime.date
    as_of: datetime.date
    freshness_days: int
    fresh_since: datetime.date
    compliance: dict[str, Any]  # the scoreboard's entry: the same figures as the map, the state page and the API
    venue_type_names: dict[str, str]
    trend: list[scoreboard.Quarter]
    venues: list[VenueRow]
    venues_total: int
    evidence: list[Evidence]
    evidence_total: int
    has_demo_data: bool
    method: str
    letters: list[outreach.PublicLetter]
    audit: trust.AuditFigures  # the measured accuracy of approving trusted volunteers' reports without review
    dispute_method: str
    machine_reading: MachineReading

    @property
    def venues_not_listed(self) -> int:
        return self.venues_total - len(self.venues)

    def filename(self, extension: str) -> str:
        return filename(self.jurisdiction, self.today, extension)


@dataclass(frozen=True)
class VenueRecord:
    """One public venue as the exports give it: its own point, its latest approved status and what was wrong."""

    public_id: uuid.UUID
    venue_type: str
    name: str
    latitude: float
    longitude: float
    status: str
    observed_on: datetime.date | None
    deficiencies: tuple[str, ...]
    is_demo: bool
    disputed: bool = False


def filename(jurisdiction: Jurisdiction, day: datetime.date, extension: str) -> str:
    """The name a report or export is saved under: signwatch-TX-2026-11-22.pdf."""
    return f"signwatch-{jurisdiction.code}-{day.isoformat()}.{extension}"


def build(jurisdiction: Jurisdiction, *, today: datetime.date | None = None) -> Report:
    """Assemble a jurisdiction's report from the cached scoreboard, the trend, its public venues and their photos."""
    today = today or timezone.localdate()
    figures = scoreboard.current(today).data
    compliance = figures["jurisdictions"][jurisdiction.code]
    public = Venue.objects.public().filter(jurisdiction=jurisdiction)
    fresh_since = datetime.date.fromisoformat(compliance["fresh_since"])
    with_photo = public.filter(latest_photo__isnull=False, status_observed_on__gte=fresh_since)
    # Counting a state's venues reads all of them: remembered until the data changes, like the figures.
    totals = scoreboard.remembered(
        f"report-totals:{jurisdiction.pk}:{fresh_since.isoformat()}",
        lambda: {
            "venues": public.count(),
            "with_photo": with_photo.count(),
            "demo": public.filter(is_demo=True).exists(),
        },
        jurisdiction=jurisdiction.pk,
    )
    return Report(
        jurisdiction=jurisdiction,
        law=jurisdiction.current_law(today),
        today=today,
        as_of=datetime.date.fromisoformat(figures["as_of"]),
        freshness_days=figures["freshness_days"],
        fresh_since=fresh_since,
        compliance=compliance,
        venue_type_names=dict(VenueType.objects.values_list("slug", "name")),
        trend=scoreboard.trend(jurisdiction, today=today),
        venues=_venue_rows(public, jurisdiction=jurisdiction.pk),
        venues_total=totals["venues"],
        evidence=_evidence(with_photo),
        evidence_total=totals["with_photo"],
        has_demo_data=bool(totals["demo"]),
        method=str(scoring.METHOD),
        letters=outreach.public_letters(jurisdiction, today=today),
        audit=moderation.measured_accuracy(),
        dispute_method=str(disputes.METHOD),
        machine_reading=scoreboard.remembered(
            f"machine-reading:{jurisdiction.pk}:{fresh_since.isoformat()}",
            lambda: machine_reading(jurisdiction, since=fresh_since),
            jurisdiction=jurisdiction.pk,
        ),
    )


def _venue_rows(public: Any, *, jurisdiction: int) -> list[VenueRow]:
    labels = dict(SignStatus.choices)
    rank = Case(
        *(When(current_status=status, then=Value(index)) for index, status in enumerate(STATUS_ORDER)),
        output_field=IntegerField(),
    )
    fields = ("public_id", "venue_type__name", "name", "current_status", "status_observed_on", "is_demo", "disputed")
    # Sorting every venue of a state by status costs most of the page at scale: remembered until the data changes.
    venues = scoreboard.remembered(
        f"report-venues:{jurisdiction}",
        lambda: list(
            public.annotate(status_rank=rank)
            .order_by("status_rank", "-status_observed_on", "pk")
            .values_list(*fields)[:MAX_VENUE_ROWS]
        ),
        jurisdiction=jurisdiction,
    )
    return [
        VenueRow(
            public_id=public_id,
            venue_type=venue_type,
            name=name,
            status=status,
            status_label=str(labels[status]),
            observed_on=observed_on,
            is_demo=is_demo,
            disputed=disputed,
        )
        for public_id, venue_type, name, status, observed_on, is_demo, disputed in venues
    ]


def _evidence(with_photo: Any) -> list[Evidence]:
    """The latest photo of the most recently observed venues, taking each status in turn (missing first)."""
    labels = dict(SignStatus.choices)
    by_status = {
        status: list(
            with_photo.filter(current_status=status)
            .select_related("venue_type", "latest_photo__observation")
            .order_by("-status_observed_on", "-pk")[:MAX_EVIDENCE]
        )
        for status in STATUS_ORDER
    }
    sample = take_in_turn([by_status[status] for status in STATUS_ORDER], MAX_EVIDENCE)
    sample.sort(key=lambda venue: (STATUS_ORDER.index(venue.current_status), -venue.status_observed_on.toordinal()))
    return [
        Evidence(
            photo_id=venue.latest_photo.public_id,
            venue_type=venue.venue_type.name,
            status=venue.current_status,
            status_label=str(labels[venue.current_status]),
            observed_on=venue.status_observed_on,
            deficiencies=tuple(venue.latest_photo.observation.deficiency_labels()),
            is_demo=venue.is_demo,
        )
        for venue in sample
    ]


def take_in_turn(groups: Sequence[Sequence[T]], limit: int) -> list[T]:
    """Up to `limit` items, one from each group in turn, so that a small group is never crowded out by a large one."""
    taken: list[T] = []
    for round_ in itertools.zip_longest(*groups):
        for item in round_:
            if item is not None:
                taken.append(item)
                if len(taken) == limit:
                    return taken
    return taken


# --- exports ---


def venue_records(jurisdiction: Jurisdiction) -> Iterator[VenueRecord]:
    """Every public venue of the jurisdiction with the deficiencies of its latest approved observation, by id."""
    latest = (
        Observation.objects.approved()
        .filter(venue=OuterRef("pk"))
        # The same order Venue.refresh_current_status uses to pick the latest observation.
        .order_by("-observed_on", "-created_at", "-pk")
        .values("deficiencies")[:1]
    )
    rows = (
        Venue.objects.public()
        .filter(jurisdiction=jurisdiction)
        .annotate(latest_deficiencies=Subquery(latest, output_field=JSONField()))
        .values_list(
            "public_id",
            "venue_type__slug",
            "name",
            "latitude",
            "longitude",
            "current_status",
            "status_observed_on",
            "latest_deficiencies",
            "is_demo",
            "disputed",
        )
        .order_by("pk")
    )
    for (
        public_id,
        venue_type,
        name,
        latitude,
        longitude,
        status,
        observed_on,
        deficiencies,
        is_demo,
        disputed,
    ) in rows.iterator(chunk_size=2000):
        yield VenueRecord(
            public_id=public_id,
            venue_type=venue_type,
            name=name,
            # The venue's point as the map gives it (a report-made venue's is already coarsened to about 10 m).
            latitude=round(latitude, 6),
            longitude=round(longitude, 6),
            status=status,
            observed_on=observed_on,
            deficiencies=tuple(deficiencies or ()),
            is_demo=is_demo,
            disputed=disputed,
        )


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: text starting with = + - @ tab or CR gets a leading single quote.

    Only text is quoted: a number we wrote ourselves (a negative longitude) is a number, not a formula.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_rows(records: Iterable[VenueRecord]) -> Iterator[list[str]]:
    """The CSV export: a header, then one row per venue, every cell made safe for spreadsheets."""
    yield list(EXPORT_FIELDS)
    for record in records:
        yield [
            safe_cell(value)
            for value in (
                str(record.public_id),
                record.venue_type,
                record.name,
                record.latitude,
                record.longitude,
                record.status,
                record.observed_on,
                ";".join(record.deficiencies),
                record.is_demo,
                record.disputed,
            )
        ]


def geojson(records: Iterable[VenueRecord]) -> dict[str, Any]:
    """The GeoJSON export: a FeatureCollection of the venues' points with the CSV's other columns as properties."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": str(record.public_id),
                "geometry": {"type": "Point", "coordinates": [record.longitude, record.latitude]},
                "properties": {
                    "id": str(record.public_id),
                    "venue_type": record.venue_type,
                    "name": record.name,
                    "status": record.status,
                    "observed_on": record.observed_on.isoformat() if record.observed_on else None,
                    "deficiencies": list(record.deficiencies),
                    "demo": record.is_demo,
                    "disputed": record.disputed,
                },
            }
            for record in records
        ],
    }


# --- PDF ---


class LocalURLFetcher(URLFetcher):
    """Gives WeasyPrint static files and approved photos from storage; refuses every other address.

    The PDF is drawn inside the request that asks for it: fetching its own images over HTTP would tie up a second
    worker (or deadlock a single one), and any outside address in a page would be a request made by our server.
    """

    def __init__(self, storage: Storage) -> None:
        super().__init__(allowed_protocols=("data",))  # the parent class fetches data: URLs, nothing else
        self.storage = storage

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if (static_name := _static_name(url)) is not None:
            return URLFetcherResponse(url, _read_static(static_name), {"Content-Type": _content_type(static_name)})
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            raise ValueError(f"not fetched: {url}") from None
        if match.url_name not in ("photo", "photo-thumbnail"):
            raise ValueError(f"not fetched: {url}")
        photo = Photo.objects.filter(
            public_id=match.kwargs["public_id"], observation__in=Observation.objects.approved()
        ).first()
        name = photo and (photo.thumbnail.name if match.url_name == "photo-thumbnail" else photo.image.name)
        if not name:
            raise ValueError(f"no approved photo at {url}")
        with self.storage.open(name, "rb") as handle:
            return URLFetcherResponse(url, handle.read(), {"Content-Type": "image/jpeg"})


def _static_name(url: str) -> str | None:
    """The static file an address names, if it is one of ours (STATIC_URL may be a path or a CDN address)."""
    static_url = settings.STATIC_URL or "/static/"
    target = url if urlsplit(static_url).netloc else urlsplit(url).path
    return unquote(target[len(static_url) :]) if target.startswith(static_url) else None


def _read_static(name: str) -> bytes:
    # The finders serve development and tests; after collectstatic the (hashed) name is in the static storage.
    path = finders.find(name)
    if isinstance(path, str):
        with open(path, "rb") as handle:
            return handle.read()
    with staticfiles_storage.open(name, "rb") as handle:
        data: bytes = handle.read()
        return data


def _content_type(name: str) -> str:
    return {"css": "text/css", "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg"}.get(
        name.rsplit(".", 1)[-1], "application/octet-stream"
    )


def render_pdf(html: str, base_url: str, *, storage: Storage | None = None) -> bytes:
    """A rendered page as PDF (print stylesheet, US Letter), its images and styles read locally, never over HTTP."""
    fetcher = LocalURLFetcher(storage or default_storage)
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


def page_context(report: Report, *, can_export: bool) -> dict[str, object]:
    """What the report template reads, for the page and the PDF alike."""
    # compliance and venue_type_names are what the shared compliance summary partial reads.
    return {
        "report": report,
        "compliance": report.compliance,
        "venue_type_names": report.venue_type_names,
        "can_export": can_export,
        **missions.page_context(report.jurisdiction),
    }


def draw_pdf(jurisdiction: Jurisdiction, *, base_url: str) -> tuple[bytes, str]:
    """The public report of a jurisdiction as a PDF, and the name it is saved under; the same whoever asks."""
    report = build(jurisdiction)
    html = render_to_string("reports/report.html", page_context(report, can_export=False))
    return render_pdf(html, base_url=base_url), report.filename("pdf")
