"""SignWatch's data: jurisdictions, venue types, posting laws and the offices that enforce them."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
                    "sources", models.Prefetch("coverage", CoveredVenueType.objects.select_related("venue_type"))
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


class VenueType(models.Model):
    """A kind of place a posting law can cover: truck stop, bar, hotel, emergency room..."""

    slug = models.SlugField(_("slug"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue type")
        verbose_name_plural = _("venue types")

    def __str__(self) -> str:
        return self.name


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
    citation = models.CharField(_("statute citation"), max_length=300, blank=True)
    session_laws = models.CharField(_("bills / session laws"), max_length=300, blank=True)
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
    enforcing_agency = models.TextField(_("enforcing agency"), blank=True)
    confidence = models.CharField(_("confidence"), max_length=8, choices=Confidence.choices)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
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
        return f"{self.jurisdiction.code}: {self.citation or self.get_status_display()}"

    @property
    def is_verified(self) -> bool:
        """A low-confidence row is shown as unverified everywhere and is never cited as fact."""
        return self.confidence != Confidence.LOW

    @property
    def is_mandatory(self) -> bool:
        return self.status == self.Status.MANDATORY

    @property
    def scope_display(self) -> str:
        """The research's scope tags ("business_mandate;employee_areas") as words."""
        return "; ".join(tag.strip().replace("_", " ") for tag in self.scope.split(";") if tag.strip())

    @property
    def short_citation(self) -> str:
        """The statute, or failing that the session law, to name the law in a table."""
        return self.citation or self.session_laws


class CoveredVenueType(models.Model):
    """A venue type a law covers, with the condition under which it applies ("only if cited as a nuisance")."""

    law = models.ForeignKey(PostingLaw, on_delete=models.CASCADE, related_name="coverage")
    venue_type = models.ForeignKey(VenueType, on_delete=models.PROTECT, related_name="coverage")
    condition = models.CharField(_("condition"), max_length=300, blank=True)

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
