"""SignWatch's data: jurisdictions, venue types, posting laws and the offices that enforce them."""

from __future__ import annotations

import datetime
import unicodedata
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.i18n import speaks_spanish


class Confidence(models.TextChoices):
    """How sure the research behind a row is (see compliance/data/README.md)."""

    HIGH = "high", _("High: statute or official page read")
    MEDIUM = "medium", _("Medium: secondary source or partial text")
    LOW = "low", _("Low: inference or nothing found")


class JurisdictionQuerySet(models.QuerySet["Jurisdiction"]):
    def with_current_law(self) -> JurisdictionQuerySet:
        """Prefetch what a page or the API needs to show each jurisdiction's law."""
        return self.select_related("ag_office").prefetch_related(
            models.Prefetch(
                "laws",
                queryset=PostingLaw.objects.select_related("jurisdiction").prefetch_related(
                    "sources",
                    "sign_requirements__venue_types",
                    models.Prefetch("coverage", CoveredVenueType.objects.select_related("venue_type")),
                ),
            )
        )


class Jurisdiction(models.Model):
    """One of the 56 U.S. Census jurisdictions: a state, DC or a territory."""

    class Kind(models.TextChoices):
        STATE = "state", _("State")
        DISTRICT = "district", _("Federal district")
        TERRITORY = "territory", _("Territory")

    code = models.CharField(_("USPS code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    fips = models.CharField(_("FIPS code"), max_length=2, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def current_law(self, on: datetime.date | None = None) -> PostingLaw | None:
        """The posting law in force on a date (today by default), using prefetched laws when present."""
        from compliance import laws

        return laws.law_in_force(list(self.laws.all()), on or datetime.date.today())


class VenueTypeQuerySet(models.QuerySet["VenueType"]):
    def local_names(self) -> dict[str, str]:
        """Slug → the name in the active language, for pages and payloads that list many venue types."""
        field = "name_es" if speaks_spanish() else "name"
        return {slug: local or name for slug, name, local in self.values_list("slug", "name", field)}

    def in_local_order(self) -> list[VenueType]:
        """The venue types sorted by their name in the active language, accents aside ("Área" among the A's)."""
        return sorted(self, key=lambda venue_type: _collation_key(venue_type.local_name))


def _collation_key(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


class VenueType(models.Model):
    """A kind of place a posting law can cover: truck stop, bar, hotel, emergency room..."""

    slug = models.SlugField(_("slug"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=80)
    # Venue types are reference data, not code, so their Spanish names travel with the data, not in the catalogue.
    name_es = models.CharField(_("name in Spanish"), max_length=80, blank=True)
    description = models.TextField(_("description"), blank=True)

    objects = VenueTypeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue type")
        verbose_name_plural = _("venue types")

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        """The name in the active language: Spanish where the data has it, English otherwise."""
        return self.name_es if self.name_es and speaks_spanish() else self.name


class PostingLawQuerySet(models.QuerySet["PostingLaw"]):
    def in_force(self, on: datetime.date) -> PostingLawQuerySet:
        """Laws whose effective period includes the date (an open end counts as in force)."""
        return self.filter(
            models.Q(effective_from__isnull=True) | models.Q(effective_from__lte=on),
            models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=on),
        )


class PostingLaw(models.Model):
    """A jurisdiction's rule on posting the hotline: which venues, what the sign must say, and how sure we are."""

    class Status(models.TextChoices):
        MANDATORY = "mandatory", _("Mandatory")
        VOLUNTARY = "voluntary", _("Voluntary")
        NONE = "none", _("No law")
        UNKNOWN = "unknown", _("Unknown")

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="laws")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.UNKNOWN)
    scope = models.CharField(
        _("mandate scope"),
        max_length=120,
        blank=True,
        help_text=_("The nuance of the mandate: business mandate, government facilities only, conditional..."),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    citations = models.JSONField(
        _("statute citations"),
        default=list,
        blank=True,
        help_text=_(
            'Codified sections, one citable string each ("Fla. Stat. § 787.29"): printed as they stand in letters, '
            "reports and signs, so never a note about the research."
        ),
    )
    session_law_citations = models.JSONField(
        _("bills / session laws"),
        default=list,
        blank=True,
        help_text=_('The acts or bills, one citable string each ("HB 141 (2013)"); cited where no section is known.'),
    )
    enacted_year = models.PositiveSmallIntegerField(_("year enacted"), null=True, blank=True)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    covered_venue_types = models.ManyToManyField(
        VenueType, through="CoveredVenueType", related_name="laws", verbose_name=_("covered venue types")
    )
    required_languages = models.JSONField(_("required languages"), default=list, blank=True)
    national_hotline_required = models.BooleanField(
        _("national hotline number required"), null=True, blank=True, help_text=_("Empty when not known.")
    )
    text_line_required = models.BooleanField(
        _("text line 233733 required"), null=True, blank=True, help_text=_("Empty when not known.")
    )
    required_content = models.TextField(_("required content"), blank=True)
    size_and_font = models.CharField(_("minimum size and font"), max_length=200, blank=True)
    placement = models.TextField(_("placement"), blank=True)
    penalty = models.TextField(_("penalty"), blank=True)
    penalty_amounts = models.JSONField(
        _("penalty amounts"),
        default=list,
        blank=True,
        help_text=_('Fines in dollars: [{"min_usd": 500, "max_usd": 1000, "applies_to": "first violation"}].'),
    )
    enforcing_agency = models.TextField(_("enforcing agency"), blank=True)
    confidence = models.CharField(_("confidence"), max_length=8, choices=Confidence.choices)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    notes = models.TextField(
        _("research notes"),
        blank=True,
        help_text=_("What was read, what was not, and doubts: shown on the registry, never printed in a document."),
    )
    reference_key = models.CharField(
        _("reference data key"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Set on rows loaded from compliance/data/; load_reference_data updates only these."),
    )

    objects = PostingLawQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["reference_key"])

    class Meta:
        ordering = ["jurisdiction__name", "-effective_from"]
        verbose_name = _("posting law")
        verbose_name_plural = _("posting laws")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_from__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="law_effective_period_ordered",
            )
        ]

    def __str__(self) -> str:
        from compliance import laws

        return f"{self.jurisdiction.code}: {laws.citation_to_print(self) or self.get_status_display()}"

    @property
    def is_verified(self) -> bool:
        """A low-confidence row is shown as unverified everywhere and is never cited as fact."""
        from compliance import laws

        return laws.is_verified(self)

    @property
    def is_mandatory(self) -> bool:
        return self.status == self.Status.MANDATORY

    @property
    def scope_display(self) -> str:
        """The research's scope tags ("business_mandate;employee_areas") as words."""
        return "; ".join(tag.strip().replace("_", " ") for tag in self.scope.split(";") if tag.strip())

    @property
    def covered(self) -> list[Any]:
        """The venue types the law lists, as `laws.covered_venue_types` reads them (for templates)."""
        from compliance import laws

        return laws.covered_venue_types(self)

    @property
    def signs(self) -> list[Any]:
        """Every sign the law requires: its general sign, then any prescribed for particular venue types."""
        from compliance import laws

        return laws.signs_required(self)

    @property
    def short_citation(self) -> str:
        """The statute, or failing that the session law, to name the law in a table (citable strings only)."""
        from compliance import laws

        return laws.citation_to_print(self)


class CoveredVenueType(models.Model):
    """A venue type a law covers, with the condition under which it applies ("only if cited as a nuisance")."""

    law = models.ForeignKey(PostingLaw, on_delete=models.CASCADE, related_name="coverage")
    venue_type = models.ForeignKey(VenueType, on_delete=models.PROTECT, related_name="coverage")
    condition = models.CharField(_("condition"), max_length=300, blank=True)
    confirmed = models.BooleanField(
        _("confirmed in the law's text"),
        default=True,
        help_text=_("Untick when only a secondary source lists the venue type: it is then never stated as law."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["venue_type__name"]
        verbose_name = _("covered venue type")
        verbose_name_plural = _("covered venue types")
        constraints = [models.UniqueConstraint(fields=["law", "venue_type"], name="unique_venue_type_per_law")]

    def __str__(self) -> str:
        return f"{self.venue_type}" + (f" ({self.condition})" if self.condition else "")


class LawSource(models.Model):
    """Where a fact about a law was read: an address and, when captured, a short quote."""

    law = models.ForeignKey(PostingLaw, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(_("address"), max_length=500)
    title = models.CharField(_("title"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [models.UniqueConstraint(fields=["law", "url"], name="unique_source_per_law")]

    def __str__(self) -> str:
        return self.title or self.url


class SignRequirement(models.Model):
    """A sign a law prescribes for some of the venue types it covers, where it differs from the law's general sign.

    Florida's § 787.29 sign (8.5 x 11 in, 16-point, for the public) and its § 509.096 hotel sign (11 x 15 in,
    32-point, for employees, 1-855-FLA-SAFE) are two signs of one registry row.
    """

    class Audience(models.TextChoices):
        PUBLIC = "public", _("the public")
        EMPLOYEES = "employees", _("employees")
        PUBLIC_AND_EMPLOYEES = "public_and_employees", _("the public and employees")

    law = models.ForeignKey(PostingLaw, on_delete=models.CASCADE, related_name="sign_requirements")
    venue_types = models.ManyToManyField(VenueType, related_name="sign_requirements", verbose_name=_("venue types"))
    citation = models.CharField(_("citation"), max_length=200, help_text=_("The section that prescribes this sign."))
    min_width_in = models.DecimalField(_("minimum width (in)"), max_digits=5, decimal_places=2, null=True, blank=True)
    min_height_in = models.DecimalField(_("minimum height (in)"), max_digits=5, decimal_places=2, null=True, blank=True)
    min_font_pt = models.PositiveSmallIntegerField(_("minimum type size (pt)"), null=True, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    hotline_name = models.CharField(_("hotline the sign names"), max_length=120, blank=True)
    hotline_number = models.CharField(
        _("hotline number"), max_length=32, blank=True, help_text=_("Empty: the national hotline.")
    )
    wording = models.TextField(_("prescribed wording"), blank=True)
    placement = models.CharField(_("placement"), max_length=300, blank=True)
    audience = models.CharField(_("audience"), max_length=24, choices=Audience.choices, default=Audience.PUBLIC)
    required_from = models.DateField(_("required from"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["law", "citation"]
        verbose_name = _("sign requirement")
        verbose_name_plural = _("sign requirements")

    def __str__(self) -> str:
        return f"{self.law.jurisdiction.code}: {self.citation}"


class LawCorrectionQuerySet(models.QuerySet["LawCorrection"]):
    def pending(self) -> LawCorrectionQuerySet:
        return self.filter(status=LawCorrection.Status.PENDING)


class LawCorrection(models.Model):
    """A correction to a jurisdiction's law row suggested from outside, with the source it rests on."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="law_corrections")
    source_url = models.URLField(_("source address"), max_length=500)
    correction = models.TextField(_("what is wrong and what the source says"), max_length=4000)
    credit_as = models.CharField(
        _("credit as"), max_length=120, blank=True, help_text=_("A name to credit, if the sender gave one.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("suggested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff_note = models.TextField(_("staff note"), blank=True)

    objects = LawCorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suggested law correction")
        verbose_name_plural = _("suggested law corrections")

    def __str__(self) -> str:
        return f"{self.jurisdiction.code}: {self.source_url}"


class AGOffice(models.Model):
    """The Attorney General office a letter or report about a jurisdiction is addressed to."""

    jurisdiction = models.OneToOneField(Jurisdiction, on_delete=models.CASCADE, related_name="ag_office")
    office_name = models.CharField(_("office name"), max_length=200)
    address_line1 = models.CharField(_("address line 1"), max_length=200)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state_code = models.CharField(_("state"), max_length=2)
    zip_code = models.CharField(_("ZIP code"), max_length=10)
    address_kind = models.CharField(_("address kind"), max_length=120, blank=True)
    website = models.URLField(_("official page"), max_length=500, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    source_note = models.CharField(_("how it was read"), max_length=200, blank=True)
    as_of = models.CharField(_("as of"), max_length=120, blank=True)
    confidence = models.CharField(_("confidence"), max_length=8, choices=Confidence.choices)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["jurisdiction__name"]
        verbose_name = _("Attorney General office")
        verbose_name_plural = _("Attorney General offices")

    def __str__(self) -> str:
        return f"{self.office_name} ({self.jurisdiction.code})"

    @property
    def mailing_address(self) -> list[str]:
        """The address as the lines of an envelope."""
        lines = [
            self.office_name,
            self.address_line1,
            self.address_line2,
            f"{self.city}, {self.state_code} {self.zip_code}",
        ]
        return [line for line in lines if line]


# --- what volunteers report ---


class SignStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    DEFICIENT = "deficient", _("Posted, but deficient")
    MISSING = "missing", _("Missing")


class Deficiency(models.TextChoices):
    WRONG_NUMBER = "wrong_number", _("Wrong or outdated number")
    MISSING_LANGUAGE = "missing_language", _("Missing a required language")
    TOO_SMALL = "too_small", _("Too small")
    NOT_VISIBLE = "not_visible", _("Not visible")
    WRONG_PLACE = "wrong_place", _("In the wrong place")
    MISSING_TEXT_LINE = "missing_text_line", _("Missing the text line 233733")
    MISSING_NUMBER = "missing_number", _("Hotline number missing or illegible")


class OsmType(models.TextChoices):
    NODE = "n", _("node")
    WAY = "w", _("way")
    RELATION = "r", _("relation")


class VenueQuerySet(models.QuerySet["Venue"]):
    def public(self) -> VenueQuerySet:
        """Venues with at least one approved observation: the only ones anybody outside staff may see."""
        return self.exclude(current_status="")

    def in_frame(self) -> VenueQuerySet:
        """Open venues imported from OpenStreetMap: the frame that coverage and samples count from."""
        return self.filter(osm_id__isnull=False, closed_on__isnull=True, merged_into__isnull=True)

    def near(self, latitude: float, longitude: float, radius_m: float) -> VenueQuerySet:
        """Venues inside the bounding box of a circle (a cheap index-friendly prefilter; refine by distance)."""
        from compliance import geo

        south, west, north, east = geo.bbox_around(latitude, longitude, radius_m)
        box = self.filter(latitude__gte=south, latitude__lte=north)
        if west <= east:
            return box.filter(longitude__gte=west, longitude__lte=east)
        return box.filter(models.Q(longitude__gte=west) | models.Q(longitude__lte=east))  # across the antimeridian


class Venue(models.Model):
    """A place a posting law can cover, at a point; its status is that of its latest approved observation.

    The point is the venue's own, never a volunteer's: a venue created by a report takes the report's point coarsened
    by geo.public_point, and the exact capture point stays on the observation, for moderators only.
    """

    # What every public URL and answer calls the venue: random, so that ids cannot be walked to find venues that
    # exist only through reports still pending (or rejected).
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    venue_type = models.ForeignKey(VenueType, on_delete=models.PROTECT, related_name="venues")
    name = models.CharField(_("name"), max_length=120, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="venues")
    tile_key = models.BigIntegerField(_("map tile key"), db_index=True)
    current_status = models.CharField(_("current status"), max_length=16, choices=SignStatus.choices, blank=True)
    status_observed_on = models.DateField(_("status observed on"), null=True, blank=True)
    latest_photo = models.ForeignKey(
        "Photo", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("latest photo")
    )
    is_demo = models.BooleanField(_("synthetic demo data"), default=False, db_index=True)
    # Two recent approved reports disagree (posted against missing): shown, but out of the headline (disputes.py).
    disputed = models.BooleanField(_("disputed"), default=False, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The venue frame (compliance/frame.py): venues imported from OpenStreetMap keep the element they came from,
    # so a re-import updates them; their point is OSM's, never a volunteer's.
    osm_type = models.CharField(_("OSM element type"), max_length=1, choices=OsmType.choices, blank=True)
    osm_id = models.BigIntegerField(_("OSM element id"), null=True, blank=True)
    osm_version = models.PositiveIntegerField(_("OSM element version"), null=True, blank=True)
    frame_import = models.ForeignKey(
        "FrameImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last import that saw it"),
    )
    closed_on = models.DateField(_("closed (gone from OpenStreetMap) on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("merged into")
    )

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="venue_lat_lon"),
            models.Index(fields=["jurisdiction", "venue_type", "closed_on"], name="venue_frame_stratum"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["osm_type", "osm_id"], condition=models.Q(osm_id__isnull=False), name="unique_osm_element"
            )
        ]

    def __str__(self) -> str:
        return self.name or f"{self.venue_type} #{self.pk}"

    @property
    def is_public(self) -> bool:
        return bool(self.current_status)

    @property
    def is_frame(self) -> bool:
        """Imported from OpenStreetMap: its point is OSM's, so it may be shown before anyone reports on it."""
        return self.osm_id is not None

    @property
    def osm_url(self) -> str:
        return f"https://www.openstreetmap.org/{self.get_osm_type_display()}/{self.osm_id}" if self.is_frame else ""

    def refresh_current_status(self) -> None:
        """Set the venue's status, date and photo from its latest approved observation; keep map clusters and the
        jurisdiction's tally in step."""
        from compliance import tallies

        with tallies.changing(self):
            self._refresh_current_status()

    def _refresh_current_status(self) -> None:
        latest = (
            self.observations.approved()
            .order_by("-observed_on", "-created_at", "-pk")
            .values("pk", "sign_status", "observed_on")
            .first()
        )
        previous_status = self.current_status
        self.current_status = latest["sign_status"] if latest else ""
        self.status_observed_on = latest["observed_on"] if latest else None
        self.latest_photo = (
            Photo.objects.filter(observation_id=latest["pk"]).order_by("position").first() if latest else None
        )
        self.disputed = self._has_open_dispute()
        self.save(update_fields=["current_status", "status_observed_on", "latest_photo", "disputed"])
        if previous_status != self.current_status:
            VenueCluster.objects.move(self, previous_status, self.current_status)

    def _has_open_dispute(self) -> bool:
        from compliance import disputes

        latest_two = list(
            self.observations.approved()
            .order_by("-observed_on", "-created_at", "-pk")
            .values_list("pk", "observed_on", "sign_status")[:2]
        )
        settled_through = (
            self.dispute_settlements.order_by("-created_at", "-pk").values_list("settled_through_id", flat=True).first()
        )
        return disputes.is_disputed(
            [disputes.Report(pk, observed_on, sign_status) for pk, observed_on, sign_status in latest_two],
            settled_through=settled_through,
        )


class ObservationQuerySet(models.QuerySet["Observation"]):
    def pending(self) -> ObservationQuerySet:
        return self.filter(review_status=Observation.ReviewStatus.PENDING)

    def approved(self) -> ObservationQuerySet:
        """Approved volunteers' reports: what every figure, map, feed and document counts. Owners' claims never do."""
        return self.filter(review_status=Observation.ReviewStatus.APPROVED, reported_by_owner=False)

    def owner_claims(self) -> ObservationQuerySet:
        """Venue owners' reports that the sign is posted now: evidence for moderators, a sentence on the venue page."""
        return self.filter(reported_by_owner=True)

    def open_owner_claims(self) -> ObservationQuerySet:
        """Owners' claims still waiting: pending review, or approved with no volunteer's approved visit since."""
        settled = Observation.objects.approved().filter(
            venue=models.OuterRef("venue"),
            observed_on__gte=models.OuterRef("observed_on"),
            created_at__gt=models.OuterRef("created_at"),
        )
        return (
            self.owner_claims()
            .filter(review_status__in=[Observation.ReviewStatus.PENDING, Observation.ReviewStatus.APPROVED])
            .exclude(models.Exists(settled))
        )

    def moderation_queue(self) -> ObservationQuerySet:
        """Pending observations, oldest first, with what a moderator needs on screen."""
        return (
            self.pending()
            .order_by("created_at", "pk")
            .select_related("venue__venue_type", "venue__jurisdiction")
            .prefetch_related("photos__duplicate_of__observation", "photos__sign_reading")
        )


class Observation(models.Model):
    """One volunteer's report of a venue's hotline sign: posted, deficient or missing, with photos."""

    class ReviewStatus(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class LocationSource(models.TextChoices):
        EXIF = "exif", _("Photo metadata")
        DEVICE = "device", _("Phone location")
        MANUAL = "manual", _("Pin placed by hand")
        VENUE = "venue", _("The venue's own point (an owner's report)")

    class Flag(models.TextChoices):
        LOCATION_CONFLICT = "location_conflict", _("Photo and phone locations disagree")
        FAR_FROM_VENUE = "far_from_venue", _("Far from the chosen venue")
        STALE_CAPTURE = "stale_capture", _("Photo taken long ago")
        FUTURE_CAPTURE = "future_capture", _("Photo dated in the future")
        DUPLICATE_PHOTO = "duplicate_photo", _("Same or near-identical photo already received")
        SNAPPED_TO_SHORE = "snapped_to_shore", _("Point just offshore, assigned to the nearest jurisdiction")

    class ReviewRoute(models.TextChoices):
        """How a report reached its review status (compliance/trust.py decides)."""

        QUEUE = "queue", _("Moderated in the queue")
        AUDIT = "audit", _("From a trusted volunteer, drawn for audit")
        TRUSTED = "trusted", _("From a trusted volunteer, approved without review")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="observations")
    sign_status = models.CharField(_("sign status"), max_length=16, choices=SignStatus.choices)
    deficiencies = models.JSONField(_("deficiencies"), default=list, blank=True)
    languages_seen = models.JSONField(_("languages seen"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    observed_on = models.DateField(_("observed on"))
    # Where the volunteer stood: private (it can identify them), used by moderators only; the public see the venue.
    captured_latitude = models.FloatField(_("captured latitude"))
    captured_longitude = models.FloatField(_("captured longitude"))
    location_accuracy_m = models.FloatField(_("location accuracy (m)"), null=True, blank=True)
    location_source = models.CharField(_("location source"), max_length=8, choices=LocationSource.choices)
    captured_at = models.DateTimeField(_("capture time from the photo"), null=True, blank=True)
    review_status = models.CharField(
        _("review status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING, db_index=True
    )
    review_reason = models.TextField(_("moderator's reason"), blank=True)
    review_route = models.CharField(
        _("review route"), max_length=8, choices=ReviewRoute.choices, default=ReviewRoute.QUEUE, db_index=True
    )
    flags = models.JSONField(_("flags"), default=list, blank=True)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="observations"
    )
    receipt = models.CharField(_("receipt"), max_length=64, unique=True, editable=False)
    idempotency_key = models.CharField(_("idempotency key digest"), max_length=64, null=True, blank=True, unique=True)
    # The digest of the request that first used the key: a resend must match it, so no other request (another
    # client's, or another report from the same phone) can read this one's receipt by reusing the key.
    idempotency_request = models.CharField(
        _("digest of the request sent with the key"), max_length=64, blank=True, default=""
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    is_demo = models.BooleanField(_("synthetic demo data"), default=False)
    # The venue's owner says the sign is posted now. Moderated like any report, but it counts in no figure: only a
    # volunteer's later visit does (ObservationQuerySet.approved leaves these out).
    reported_by_owner = models.BooleanField(_("reported by the venue's owner"), default=False, db_index=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        indexes = [
            models.Index(fields=["venue", "review_status", "observed_on"], name="obs_venue_review_date"),
            # Approved reports newest first, whatever the venue (Open311 requests.json): read in index order.
            models.Index(fields=["review_status", "observed_on", "id"], name="obs_review_date_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_sign_status_display()} at {self.venue} ({self.get_review_status_display()})"

    @property
    def is_public(self) -> bool:
        """Shown to everyone: an approved volunteer's report (the same rule as ObservationQuerySet.approved)."""
        return self.review_status == self.ReviewStatus.APPROVED and not self.reported_by_owner

    @property
    def submitted_on(self) -> datetime.date:
        """The day the report arrived; the exact time stays private (it could help identify the volunteer)."""
        return timezone.localdate(self.created_at)

    def flag_labels(self) -> list[str]:
        labels = dict(self.Flag.choices)
        return [str(labels.get(flag, flag)) for flag in self.flags]

    def deficiency_labels(self) -> list[str]:
        labels = dict(Deficiency.choices)
        return [str(labels.get(item, item)) for item in self.deficiencies]


def _photo_path(prefix: str) -> str:
    # Random names: no original file name, observation id or date is ever part of a stored path.
    return f"{prefix}/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.jpg"


class Photo(models.Model):
    """A cleaned photo of an observation: a fresh JPEG and a thumbnail with no metadata, and the hashes we keep."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    image = models.FileField(_("image"), max_length=200)
    thumbnail = models.FileField(_("thumbnail"), max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    received_bytes = models.PositiveIntegerField(_("bytes received"))
    received_sha256 = models.CharField(_("SHA-256 of the received file"), max_length=64, db_index=True)
    clean_sha256 = models.CharField(_("SHA-256 of the stored file"), max_length=64, db_index=True)
    perceptual_hash = models.BigIntegerField(_("perceptual hash"))
    # The 64-bit hash split in four 16-bit bands, each indexed: two photos within a few bits of each other almost
    # always share a band, so near-duplicates are found by four index lookups rather than a scan of every photo.
    hash_band_0 = models.IntegerField(db_index=True)
    hash_band_1 = models.IntegerField(db_index=True)
    hash_band_2 = models.IntegerField(db_index=True)
    hash_band_3 = models.IntegerField(db_index=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )

    class Meta:
        ordering = ["observation", "position"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"Photo {self.public_id}"

    @staticmethod
    def hash_bands(perceptual_hash: int) -> dict[str, int]:
        """The four 16-bit bands of a signed 64-bit perceptual hash, as field values."""
        unsigned = perceptual_hash & 0xFFFF_FFFF_FFFF_FFFF
        return {f"hash_band_{band}": (unsigned >> (16 * band)) & 0xFFFF for band in range(4)}

    @staticmethod
    def new_image_name() -> str:
        return _photo_path("photos")

    @staticmethod
    def new_thumbnail_name() -> str:
        return _photo_path("thumbs")


class SignReading(models.Model):
    """What the machine read on a photo (compliance.ocr, compliance.signreading): evidence for a moderator to weigh.

    It never decides a review: a moderator approves or rejects, and may confirm the deficiencies it suggests.
    """

    class Outcome(models.TextChoices):
        FOUND = "found", _("Hotline number found")
        NOT_FOUND = "not_found", _("Text read, no hotline number")
        UNREADABLE = "unreadable", _("No text could be read")

    photo = models.OneToOneField(Photo, on_delete=models.CASCADE, related_name="sign_reading")
    text = models.TextField(_("text read"), blank=True)
    # Each line as read: {"text", "confidence", "box": four [x, y] corners as fractions of the photo's sides}.
    lines = models.JSONField(_("lines read"), default=list, blank=True)
    # Each number found: {"kind", "value", "written", "confidence", "lines", "note"} (compliance.signreading.Finding).
    findings = models.JSONField(_("findings"), default=list, blank=True)
    hotline_found = models.BooleanField(_("national hotline found"), default=False)
    text_line_found = models.BooleanField(_("text line found"), default=False)
    # Empty where the jurisdiction's law names no state hotline of its own.
    state_hotline_found = models.BooleanField(_("state hotline found"), null=True, blank=True)
    languages = models.JSONField(_("languages read"), default=list, blank=True)
    suggested_deficiencies = models.JSONField(_("deficiencies the reading supports"), default=list, blank=True)
    engine = models.CharField(_("OCR engine"), max_length=64)
    engine_version = models.CharField(_("OCR engine version"), max_length=32, blank=True)
    seconds = models.FloatField(_("seconds to read"))
    read_at = models.DateTimeField(_("read at"), auto_now=True)

    class Meta:
        verbose_name = _("sign reading")
        verbose_name_plural = _("sign readings")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.photo}"

    @property
    def number_legible(self) -> bool:
        return self.hotline_found or bool(self.state_hotline_found)

    @property
    def outcome(self) -> str:
        if self.number_legible:
            return self.Outcome.FOUND
        return self.Outcome.NOT_FOUND if self.text.strip() else self.Outcome.UNREADABLE

    def get_outcome_display(self) -> str:
        return str(self.Outcome(self.outcome).label)


class Review(models.Model):
    """A moderator's decision on an observation: the audit trail of moderation."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="reviews")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.moderator} on {self.created_at:%Y-%m-%d}"


# --- map clusters ---

# Cell zooms at which venue counts are kept. A map at zoom z shows the finest level <= z + 3, so a viewport holds
# at most a few hundred cells whatever the number of venues.
CLUSTER_LEVELS = (4, 6, 8, 10, 12)
ALL_VENUE_TYPES = 0  # venue_type_key of the rows that count every type


class VenueClusterQuerySet(models.QuerySet["VenueCluster"]):
    def move(self, venue: Venue, old_status: str, new_status: str) -> None:
        """Count a public venue out of its old status's cells and into its new status's (either may be "")."""
        from compliance import geo

        for level in CLUSTER_LEVELS:
            cell = geo.cell_key(venue.tile_key, level)
            for venue_type_key in (ALL_VENUE_TYPES, venue.venue_type_id):
                where = {"level": level, "cell": cell, "venue_type_key": venue_type_key}
                if old_status:
                    self.filter(**where, status=old_status).update(
                        venues=models.F("venues") - 1,
                        latitude_sum=models.F("latitude_sum") - venue.latitude,
                        longitude_sum=models.F("longitude_sum") - venue.longitude,
                    )
                if new_status:
                    self._add(where | {"status": new_status}, venue.latitude, venue.longitude)

    def _add(self, where: dict[str, object], latitude: float, longitude: float) -> None:
        added = self.filter(**where).update(
            venues=models.F("venues") + 1,
            latitude_sum=models.F("latitude_sum") + latitude,
            longitude_sum=models.F("longitude_sum") + longitude,
        )
        if added:
            return
        try:
            with transaction.atomic():
                self.create(**where, venues=1, latitude_sum=latitude, longitude_sum=longitude)
        except IntegrityError:  # created meanwhile by a concurrent moderation: add to it
            self._add(where, latitude, longitude)

    @transaction.atomic
    def rebuild(self) -> int:
        """Recount every cell from the venues (after a bulk load); returns the number of rows written.

        Each level is counted by the database in one INSERT ... SELECT: no row passes through Python, which at ten
        million observations is the difference between seconds and many minutes.
        """
        from compliance import geo

        self.all().delete()
        public = Venue.objects.public()
        table = connection.ops.quote_name(VenueCluster._meta.db_table)
        columns = ", ".join(
            connection.ops.quote_name(VenueCluster._meta.get_field(name).column)
            for name in ("level", "cell", "venue_type_key", "status", "venues", "latitude_sum", "longitude_sum")
        )
        written = 0
        for level in CLUSTER_LEVELS:
            cell = models.ExpressionWrapper(
                models.F("tile_key") / geo.cell_divisor(level), output_field=models.BigIntegerField()
            )
            for grouping in (None, "venue_type_id"):
                venue_type_key = models.F(grouping) if grouping else models.Value(ALL_VENUE_TYPES)
                rows = (
                    public.annotate(cell=cell, type_key=venue_type_key, status=models.F("current_status"))
                    .values("cell", "type_key", "status")
                    .annotate(
                        level=models.Value(level),
                        venues=models.Count("pk"),
                        latitude_sum=models.Sum("latitude"),
                        longitude_sum=models.Sum("longitude"),
                    )
                    # In the order of the INSERT's columns: Django 5.2 keeps the order values_list names.
                    .values_list("level", "cell", "type_key", "status", "venues", "latitude_sum", "longitude_sum")
                    .order_by()
                )
                select, params = rows.query.sql_with_params()
                with connection.cursor() as cursor:
                    cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
                    written += cursor.rowcount
        return written


class VenueCluster(models.Model):
    """How many public venues of a status lie in one map cell (all types, or one type), and their mean point."""

    level = models.PositiveSmallIntegerField(_("cell zoom"))
    cell = models.BigIntegerField(_("cell key"))
    venue_type_key = models.BigIntegerField(_("venue type id, or 0 for all types"))
    status = models.CharField(_("status"), max_length=16, choices=SignStatus.choices)
    venues = models.IntegerField(_("venues"))
    latitude_sum = models.FloatField()
    longitude_sum = models.FloatField()

    objects = VenueClusterQuerySet.as_manager()

    class Meta:
        verbose_name = _("venue cluster")
        verbose_name_plural = _("venue clusters")
        constraints = [
            models.UniqueConstraint(fields=["level", "venue_type_key", "cell", "status"], name="unique_cluster_cell")
        ]

    def __str__(self) -> str:
        return f"level {self.level} cell {self.cell}: {self.venues} {self.status}"


class JurisdictionTally(models.Model):
    """A jurisdiction's fresh public venues folded into the few counts its figures read (compliance/tallies.py)."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, on_delete=models.CASCADE, related_name="tally", verbose_name=_("jurisdiction")
    )
    # The day the counts are for; None until (re)counted. The freshness window moves daily, so a tally of another
    # day is recounted before use.
    day = models.DateField(_("counted for"), null=True, blank=True)
    # "venue type|status|disputed 0/1|law id or 0" -> [a member's report date, venues]
    counts = models.JSONField(_("counts"), default=dict)
    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("jurisdiction tally")
        verbose_name_plural = _("jurisdiction tallies")

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} on {self.day}: {len(self.counts)} counts"


# --- evidence for action: AG office accounts and letters ---


class AGOfficeAccount(models.Model):
    """A user who works for one jurisdiction's Attorney General office: sees its private data, answers its letters."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ag_office_account")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="ag_office_accounts")

    class Meta:
        verbose_name = _("AG office account")
        verbose_name_plural = _("AG office accounts")

    def __str__(self) -> str:
        return f"{self.user} ({self.jurisdiction.code} AG office)"


def _answer_path(letter: Letter, filename: str) -> str:
    # A random name: the uploader's file name can carry a person's name or a case number.
    return f"letter-answers/{uuid.uuid4().hex}.pdf"


class LetterQuerySet(models.QuerySet["Letter"]):
    def sent(self) -> LetterQuerySet:
        """Letters that went out: the public record of outreach (kind, dates, the office's answer)."""
        return self.filter(sent_on__isnull=False).exclude(outreach_status=Letter.Outreach.DRAFT)

    def visible_to(self, user: Any) -> LetterQuerySet:
        """Letters a user may open: their own and, for staff and advocates, all; for an AG office, those to it."""
        from compliance import roles

        if not user.is_authenticated:
            return self.none()
        if user.is_staff or user.is_superuser or roles.is_advocate(user):
            return self
        code = roles.ag_office_jurisdiction(user)
        return self.filter(jurisdiction__code=code) if code else self.filter(author=user)


class Letter(models.Model):
    """A letter to a jurisdiction's AG office (or legislature), frozen as sent, and what became of it."""

    class Kind(models.TextChoices):
        ENFORCEMENT = "enforcement", _("Enforcement request")
        ADOPTION = "adoption", _("Adoption request")
        RECOGNITION = "recognition", _("Recognition")
        CUSTOM = "custom", _("Custom")
        CAMPAIGN = "campaign", _("Campaign")

        @classmethod
        def writable(cls) -> list[tuple[str, str]]:
            """The kinds a person writes; campaign letters are written by their campaign (compliance/campaigns.py)."""
            return [(value, label) for value, label in cls.choices if value != cls.CAMPAIGN]

    class Outreach(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        NO_ANSWER = "no_answer", _("No answer")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="letters")
    # What the letter said when it was written, frozen: later data or template changes do not rewrite it.
    recipient = models.JSONField(_("recipient address lines"), default=list)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    figures = models.JSONField(_("figures quoted"), default=dict)
    citation_verified = models.BooleanField(_("statute cited as verified"), default=False)
    outreach_status = models.CharField(
        _("outreach status"), max_length=16, choices=Outreach.choices, default=Outreach.DRAFT
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    official_response = models.TextField(_("official response"), blank=True)
    answer_attachment = models.FileField(
        _("answer (PDF)"), upload_to=_answer_path, blank=True, help_text=_("The office's answer as sent, if any.")
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LetterQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.jurisdiction.code} ({self.get_outreach_status_display()})"

    def days_without_answer(self, today: datetime.date | None = None) -> int | None:
        """Days since the letter was sent, while no answer is recorded; None once answered or if never sent."""
        if self.sent_on is None or self.answered_on is not None:
            return None
        return ((today or timezone.localdate()) - self.sent_on).days


class WebhookEvent(models.TextChoices):
    """What an organisation can be told about, as it happens."""

    REPORT_APPROVED = "report.approved", _("A report was approved")
    LETTER_ANSWERED = "letter.answered", _("An Attorney General office answered a letter")
    LAW_CHANGED = "law.changed", _("A posting-law record changed")
    FIGURES_CHANGED = "figures.changed", _("A jurisdiction's compliance figures changed")


class WebhookEndpoint(models.Model):
    """An organisation's HTTPS address that receives signed events (compliance/webhooks.py)."""

    organisation = models.CharField(_("organisation"), max_length=200)
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    jurisdictions = models.JSONField(
        _("jurisdictions"), default=list, blank=True, help_text=_("USPS codes; empty for every jurisdiction.")
    )
    # Shared with the organisation once, when the endpoint is registered; it signs every delivery.
    secret = models.CharField(_("signing secret"), max_length=64, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="webhook_endpoints"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.url}"

    def wants(self, event: str, jurisdiction_code: str | None) -> bool:
        """Whether this endpoint subscribed to an event about a jurisdiction (None: about no one jurisdiction)."""
        return (
            self.is_active
            and event in self.events
            and (not self.jurisdictions or jurisdiction_code is None or jurisdiction_code in self.jurisdictions)
        )


class WebhookDelivery(models.Model):
    """One event for one endpoint: the exact body signed, and every attempt's outcome (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    # Sent with every attempt, so a receiver that got a delivery twice (a lost answer) can drop the second.
    public_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=32, choices=WebhookEvent.choices)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(_("last answer's status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint.organisation} ({self.get_status_display()})"


class ReportContact(models.Model):
    """An email address a volunteer left with a report, to hear what became of it. Never shown to anyone.

    Kept only for the notices (compliance/notifications.py); deleted with the report, or with every other report
    of the same address when its owner unsubscribes.
    """

    observation = models.OneToOneField(Observation, on_delete=models.CASCADE, related_name="contact")
    email = models.EmailField(_("email"), max_length=254, db_index=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report contact")
        verbose_name_plural = _("report contacts")

    def __str__(self) -> str:
        return f"contact for report {self.observation_id}"


# Trust, disputes and second opinions live in their own module; imported here so Django registers them.
from compliance.moderation_models import DisputeSettlement, SecondOpinion, VolunteerTrust  # noqa: E402, F401

# --- the venue frame, sampling missions and merges ---


class FrameImport(models.Model):
    """One run of import_osm_venues: what was read, when the extract was cut, and what it changed."""

    source_name = models.CharField(_("file read"), max_length=200)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("limited to")
    )
    as_of = models.DateField(_("extract as of"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("frame import")
        verbose_name_plural = _("frame imports")

    def __str__(self) -> str:
        return f"{self.source_name} as of {self.as_of}"


class SampleQuerySet(models.QuerySet["Sample"]):
    def current(self) -> SampleQuerySet:
        """Each jurisdiction's latest sample: the one volunteers are sent to and the estimate is made from."""
        return self.filter(superseded_at__isnull=True)


class Sample(models.Model):
    """A published stratified random sample of a jurisdiction's frame: the venues volunteers are sent to."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="samples")
    seed = models.BigIntegerField(_("random seed"))
    frame_as_of = models.DateField(_("frame as of"))
    margin_of_error = models.FloatField(_("target margin of error per stratum"))
    drawn_at = models.DateTimeField(_("drawn"), auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(_("superseded by a later sample"), null=True, blank=True)
    venues = models.ManyToManyField(Venue, through="SampledVenue", related_name="samples")

    objects = SampleQuerySet.as_manager()

    class Meta:
        ordering = ["-drawn_at"]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")

    def __str__(self) -> str:
        return f"{self.jurisdiction.code} sample of {self.drawn_at:%Y-%m-%d} (seed {self.seed})"


class SampleStratum(models.Model):
    """One covered venue type of a sample: how many venues the frame held (N_h) and how many were drawn (n_h)."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="strata")
    venue_type = models.ForeignKey(VenueType, on_delete=models.PROTECT, related_name="+")
    frame_size = models.PositiveIntegerField(_("venues in the frame (N_h)"))
    sample_size = models.PositiveIntegerField(_("venues drawn (n_h)"))

    class Meta:
        ordering = ["venue_type__name"]
        verbose_name = _("sample stratum")
        verbose_name_plural = _("sample strata")
        constraints = [models.UniqueConstraint(fields=["sample", "venue_type"], name="unique_stratum_per_sample")]

    def __str__(self) -> str:
        return f"{self.venue_type}: {self.sample_size} of {self.frame_size}"


class SampledVenue(models.Model):
    """A venue drawn into a sample, in the order the draw picked it."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="draws")
    stratum = models.ForeignKey(SampleStratum, on_delete=models.CASCADE, related_name="draws")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="draws")
    draw_order = models.PositiveIntegerField(_("order drawn"))
    # The venue's point, copied (and kept in step by frame imports), so "missions near me" searches the few
    # thousand sampled venues on their own index, whatever the size of the frame.
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    is_current = models.BooleanField(_("in the jurisdiction's current sample"), default=True)

    class Meta:
        ordering = ["sample", "stratum", "draw_order"]
        verbose_name = _("sampled venue")
        verbose_name_plural = _("sampled venues")
        constraints = [models.UniqueConstraint(fields=["sample", "venue"], name="unique_venue_per_sample")]
        indexes = [models.Index(fields=["is_current", "latitude", "longitude"], name="sampled_current_point")]

    def __str__(self) -> str:
        return f"#{self.draw_order} {self.venue} in {self.sample}"


class SurveyAttempt(models.Model):
    """A visit that found no way to survey a venue: the non-response a sample's estimate must report."""

    class Reason(models.TextChoices):
        CLOSED = "closed", _("Closed for good")
        NO_ACCESS = "no_access", _("No access (locked, private, refused)")
        NOT_FOUND = "not_found", _("Not there")
        UNSAFE = "unsafe", _("Not safe to go in")

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="survey_attempts")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    attempted_on = models.DateField(_("attempted on"))
    # Who recorded it stays private, as for observations; the public see counts only.
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-attempted_on"]
        verbose_name = _("could-not-survey record")
        verbose_name_plural = _("could-not-survey records")
        indexes = [models.Index(fields=["venue", "attempted_on"], name="attempt_venue_date")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} at {self.venue} on {self.attempted_on}"


class VenueMerge(models.Model):
    """A volunteer-made venue folded into a frame venue, with what moved, so the merge can be undone."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed: staff to decide")
        MERGED = "merged", _("Merged")
        UNDONE = "undone", _("Undone")
        DECLINED = "declined", _("Declined: different places")

    frame_venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="merges_in")
    volunteer_venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="merges_out")
    distance_m = models.FloatField(_("distance (m)"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    moved_observations = models.JSONField(_("observations moved"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("venue merge")
        verbose_name_plural = _("venue merges")
        constraints = [
            models.UniqueConstraint(fields=["frame_venue", "volunteer_venue"], name="unique_merge_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_venue} → {self.frame_venue} ({self.get_status_display()})"


# --- public campaigns: "tell your Attorney General" (compliance/campaigns.py) ---


class HotlinePublicity(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not checked")


class AGPublicityRecord(models.Model):
    """The AG office's own record: whether it publicises the hotline itself, as staff last checked (with history)."""

    jurisdiction = models.OneToOneField(Jurisdiction, on_delete=models.CASCADE, related_name="ag_publicity")
    on_website = models.CharField(
        _("hotline on its website"), max_length=8, choices=HotlinePublicity.choices, default=HotlinePublicity.UNKNOWN
    )
    on_social_media = models.CharField(
        _("hotline on its social media"),
        max_length=8,
        choices=HotlinePublicity.choices,
        default=HotlinePublicity.UNKNOWN,
    )
    in_own_buildings = models.CharField(
        _("hotline signs in its own buildings"),
        max_length=8,
        choices=HotlinePublicity.choices,
        default=HotlinePublicity.UNKNOWN,
    )
    source_url = models.URLField(_("source address"), max_length=500)
    checked_on = models.DateField(_("date checked"))
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["jurisdiction__name"]
        verbose_name = _("AG office's own hotline record")
        verbose_name_plural = _("AG offices' own hotline records")

    def __str__(self) -> str:
        return f"{self.jurisdiction.code} AG office's hotline record ({self.checked_on})"

    @property
    def publicises(self) -> bool:
        """Whether the office was seen publicising the hotline in at least one of the three ways."""
        return HotlinePublicity.YES in (self.on_website, self.on_social_media, self.in_own_buildings)

    def as_figures(self) -> dict[str, Any]:
        """The record as letters quote it (frozen with a letter's figures) and the API gives it."""
        return {
            "on_website": self.on_website,
            "on_social_media": self.on_social_media,
            "in_own_buildings": self.in_own_buildings,
            "publicises": self.publicises,
            "source_url": self.source_url,
            "checked_on": self.checked_on.isoformat(),
        }


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def open_on(self, day: datetime.date) -> CampaignQuerySet:
        """Campaigns taking supporters on a day: started, and not past their end."""
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def current_for(self, code: str, day: datetime.date | None = None) -> Campaign | None:
        """A jurisdiction's latest campaign to have started (open, or ended with its letter), if any."""
        return (
            self.filter(jurisdiction__code=code.upper(), starts_on__lte=day or timezone.localdate())
            .select_related("jurisdiction", "ag_office")
            .order_by("-starts_on", "-pk")
            .first()
        )


class Campaign(models.Model):
    """A public call on one jurisdiction's Attorney General, which anyone may support by confirming their email."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="campaigns")
    ag_office = models.ForeignKey(AGOffice, on_delete=models.PROTECT, related_name="campaigns")
    ask = models.TextField(_("what we ask"), max_length=2000)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # Supporter counts at which the letter goes to the office (besides the end), e.g. [100, 500, 1000].
    milestones = models.JSONField(_("milestones"), default=list, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="campaigns")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return f"Campaign to the {self.jurisdiction.code} AG office ({self.starts_on} to {self.ends_on})"

    def is_open(self, day: datetime.date | None = None) -> bool:
        """Whether the campaign takes supporters on a day (today by default)."""
        return self.starts_on <= (day or timezone.localdate()) <= self.ends_on

    def confirmed_supporters(self) -> SupporterQuerySet:
        """Supporters who confirmed their address: the only ones who count."""
        return self.supporters.confirmed()  # type: ignore[attr-defined,no-any-return]


class SupporterQuerySet(models.QuerySet["Supporter"]):
    def confirmed(self) -> SupporterQuerySet:
        return self.filter(confirmed_at__isnull=False)


class Supporter(models.Model):
    """Someone who supports a campaign. Counted once confirmed; named in public only if they opted in."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="supporters")
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"), max_length=254)
    # The address as compared: case-folded whole, so Ana@Example.org and ana@example.ORG are one supporter.
    email_key = models.CharField(_("address as compared"), max_length=254, editable=False)
    zip_code = models.CharField(_("ZIP code"), max_length=5)
    personal_line = models.CharField(_("personal line"), max_length=500, blank=True)
    consent_to_contact = models.BooleanField(_("may be contacted"), default=False)
    public_name = models.BooleanField(_("name may be shown"), default=False)
    language = models.CharField(_("language"), max_length=8, default="en")
    # Each confirmation email carries a new nonce: a link is good once, and only the latest one sent.
    confirmation_nonce = models.CharField(max_length=32, editable=False, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SupporterQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email_key"], name="one_supporter_per_address_per_campaign")
        ]

    def __str__(self) -> str:
        return f"supporter {self.pk} of campaign {self.campaign_id}"

    @staticmethod
    def normalise_email(email: str) -> str:
        """The form of an address two sign-ups are compared by."""
        return unicodedata.normalize("NFKC", email).strip().casefold()

    @property
    def zip_area(self) -> str:
        """The ZIP code's first three digits: the area a letter counts supporters by, never the full code."""
        return self.zip_code[:3]


class CampaignLetter(models.Model):
    """A campaign's letter as recorded in the tracker: at a milestone (its supporter count) or at the end (None)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="campaign_letters")
    letter = models.OneToOneField(Letter, on_delete=models.CASCADE, related_name="campaign_letter")
    milestone = models.PositiveIntegerField(_("milestone"), null=True, blank=True)
    supporters = models.PositiveIntegerField(_("supporters counted"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("campaign letter")
        verbose_name_plural = _("campaign letters")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "milestone"], name="one_letter_per_campaign_milestone"),
            models.UniqueConstraint(
                fields=["campaign"], condition=models.Q(milestone__isnull=True), name="one_final_letter_per_campaign"
            ),
        ]

    def __str__(self) -> str:
        return f"letter of campaign {self.campaign_id} at {self.milestone or 'the end'}"


# --- documents drawn off the request path ---


class RenderedDocumentQuerySet(models.QuerySet["RenderedDocument"]):
    def of(self, kind: str, key: str) -> RenderedDocumentQuerySet:
        """Every stored copy of one document (a state's report, one sign, one letter), whatever its stamp."""
        return self.filter(kind=kind, key=key)

    def ready(self) -> RenderedDocumentQuerySet:
        return self.filter(status=RenderedDocument.Status.READY)

    def newest_first(self) -> RenderedDocumentQuerySet:
        return self.order_by("-rendered_at", "-pk")


class RenderedDocument(models.Model):
    """A PDF drawn by a task worker, kept under the state of the data it was drawn from (its stamp).

    Stored in the database, not the cache: every web process and every worker sees the same copies, they survive a
    restart, and a letter (private to its readers) never lands in a media store that may be served publicly.
    """

    class Kind(models.TextChoices):
        REPORT_PDF = "report_pdf", _("Report PDF")
        SIGN_PDF = "sign_pdf", _("Sign PDF")
        LETTER_PDF = "letter_pdf", _("Letter PDF")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # What to draw, in the kind's own terms: "TX" for a report, "TX|truck_stop|letter|es" for a sign, a letter's id.
    key = models.CharField(_("key"), max_length=200)
    stamp = models.CharField(_("stamp"), max_length=64)
    base_url = models.CharField(_("base address"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    content = models.BinaryField(_("content"), blank=True, default=b"")
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)

    objects = RenderedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("rendered document")
        verbose_name_plural = _("rendered documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "stamp"], name="one_rendered_document_per_stamp"),
        ]
        indexes = [models.Index(fields=["kind", "key", "status"], name="rendered_document_lookup")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} at {self.stamp} ({self.status})"
