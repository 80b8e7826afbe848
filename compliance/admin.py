"""Staff screens for the reference data. Law edits are audited by django-simple-history (who, when, what changed)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from compliance import laws, moderation, observations, registry
from compliance.models import (
    AGOffice,
    AGOfficeAccount,
    AGPublicityRecord,
    Campaign,
    CampaignLetter,
    CoveredVenueType,
    Jurisdiction,
    LawCorrection,
    LawSource,
    Letter,
    Observation,
    Photo,
    PostingLaw,
    Review,
    SignReading,
    SignRequirement,
    Venue,
    VenueType,
    VolunteerTrust,
    WebhookDelivery,
    WebhookEndpoint,
)


class CoveredVenueTypeInline(admin.TabularInline):
    model = CoveredVenueType
    extra = 1
    autocomplete_fields = ["venue_type"]


class SignRequirementInline(admin.StackedInline):
    model = SignRequirement
    extra = 0
    filter_horizontal = ["venue_types"]


# Sources are pasted from a browser's address bar; an address typed without a scheme is taken as https.
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class LawSourceInline(admin.TabularInline):
    model = LawSource
    extra = 1
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS


class CitationLinesField(forms.CharField):
    """A list of citable strings edited one per line (a JSON list is no way to ask staff for citations)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]


class PostingLawForm(forms.ModelForm):
    """The law row's form; the admin supplies the model and fields."""

    citations = CitationLinesField(
        label=_("statute citations"),
        required=False,
        help_text=_("One codified section per line, as it should be printed; never a note about the research."),
    )
    session_law_citations = CitationLinesField(
        label=_("bills / session laws"), required=False, help_text=_("One act or bill per line.")
    )


@admin.register(PostingLaw)
class PostingLawAdmin(SimpleHistoryAdmin):
    form = PostingLawForm
    list_display = ["jurisdiction", "status", "citation", "confidence", "verified", "last_verified"]
    list_filter = ["status", "confidence", "jurisdiction__kind", "covered_venue_types"]
    search_fields = ["jurisdiction__name", "jurisdiction__code", "citations", "session_law_citations", "title", "notes"]
    list_select_related = ["jurisdiction"]
    autocomplete_fields = ["jurisdiction"]
    inlines = [CoveredVenueTypeInline, SignRequirementInline, LawSourceInline]
    readonly_fields = ["reference_key"]
    fieldsets = [
        (None, {"fields": ["jurisdiction", "status", "scope", "title", "citations", "session_law_citations"]}),
        (_("When"), {"fields": ["enacted_year", "effective_from", "effective_to"]}),
        (
            _("What the sign must show"),
            {
                "fields": [
                    "required_languages",
                    "national_hotline_required",
                    "text_line_required",
                    "required_content",
                    "size_and_font",
                    "placement",
                ]
            },
        ),
        (_("Enforcement"), {"fields": ["penalty", "penalty_amounts", "enforcing_agency"]}),
        (_("Provenance"), {"fields": ["confidence", "last_verified", "notes", "reference_key"]}),
    ]

    @admin.display(boolean=True, description=_("verified"))
    def verified(self, law: PostingLaw) -> bool:
        return laws.is_verified(law)

    @admin.display(description=_("citation"))
    def citation(self, law: PostingLaw) -> str:
        return laws.citation_to_print(law)


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "fips", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "fips"]


@admin.register(VenueType)
class VenueTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "slug"]
    search_fields = ["name", "name_es", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(AGOffice)
class AGOfficeAdmin(SimpleHistoryAdmin):
    list_display = ["jurisdiction", "office_name", "city", "confidence"]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_filter = ["confidence"]
    search_fields = ["jurisdiction__name", "jurisdiction__code", "office_name", "city"]
    list_select_related = ["jurisdiction"]
    autocomplete_fields = ["jurisdiction"]


# --- volunteers' reports: staff look and search here; moderation decisions go through /moderate/ (audited). ---


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    can_delete = False
    fields = ["public_id", "width", "height", "received_bytes", "received_sha256", "duplicate_of"]
    readonly_fields = fields


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    can_delete = False
    fields = ["created_at", "moderator", "action", "reason"]
    readonly_fields = fields


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = [
        "public_id",
        "venue",
        "sign_status",
        "review_status",
        "reported_by_owner",
        "observed_on",
        "created_at",
    ]
    list_filter = [
        "review_status",
        "reported_by_owner",
        "sign_status",
        "location_source",
        "venue__jurisdiction",
        "venue__venue_type",
    ]
    search_fields = ["public_id", "venue__name", "notes"]
    list_select_related = ["venue__venue_type"]
    date_hierarchy = "created_at"
    inlines = [PhotoInline, ReviewInline]
    # Review status changes only through moderation, so every decision has its Review row.
    readonly_fields = [
        "public_id",
        "receipt",
        "review_status",
        "review_reason",
        "review_route",
        "reported_by_owner",
        "published_at",
        "created_at",
        "submitter",
        "idempotency_key",
    ]
    raw_id_fields = ["venue"]

    # A correction of an approved report (its sign, its day, its venue) moves the figures like a moderation does.
    def save_model(self, request: HttpRequest, obj: Observation, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and obj.review_status == Observation.ReviewStatus.APPROVED:
            # The venue it was at (the raw id field's initial value) and the one it is at now.
            observations.corrected_by_staff({form.initial.get("venue"), obj.venue_id} - {None})

    def delete_model(self, request: HttpRequest, obj: Observation) -> None:
        self.delete_queryset(request, Observation.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Observation]) -> None:
        approved = queryset.filter(review_status=Observation.ReviewStatus.APPROVED)
        venue_ids = set(approved.values_list("venue_id", flat=True))
        skipped_the_queue = approved.exclude(review_route=Observation.ReviewRoute.QUEUE).exists()
        super().delete_queryset(request, queryset)
        observations.corrected_by_staff(venue_ids, skipped_the_queue=skipped_the_queue)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "venue_type", "jurisdiction", "current_status", "status_observed_on"]
    list_filter = ["current_status", "venue_type", "jurisdiction"]
    search_fields = ["name"]
    list_select_related = ["venue_type", "jurisdiction"]
    # A venue's point, jurisdiction and status feed the map clusters and scores: they change only through reports.
    readonly_fields = [
        "latitude",
        "longitude",
        "jurisdiction",
        "tile_key",
        "current_status",
        "status_observed_on",
        "latest_photo",
        "disputed",
        "created_at",
    ]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["observation", "moderator", "action", "created_at"]
    list_filter = ["action"]
    search_fields = ["observation__public_id", "moderator__username", "reason"]
    readonly_fields = ["observation", "moderator", "action", "reason", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Review | None = None) -> bool:
        return False


@admin.register(SignReading)
class SignReadingAdmin(admin.ModelAdmin):
    list_display = ["photo", "hotline_found", "text_line_found", "state_hotline_found", "engine_version", "read_at"]
    list_filter = ["hotline_found", "text_line_found", "state_hotline_found", "engine_version"]
    search_fields = ["photo__public_id", "photo__observation__public_id", "text"]
    list_select_related = ["photo"]
    # A reading is the machine's record: made again by `manage.py read_signs --again`, never edited by hand.
    readonly_fields = [field.name for field in SignReading._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SignReading | None = None) -> bool:
        return False


@admin.register(AGOfficeAccount)
class AGOfficeAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "jurisdiction"]
    list_filter = ["jurisdiction"]
    search_fields = ["user__username", "user__email", "jurisdiction__code"]
    raw_id_fields = ["user"]


@admin.register(Letter)
class LetterAdmin(SimpleHistoryAdmin):
    list_display = ["jurisdiction", "kind", "outreach_status", "sent_on", "answered_on", "author", "created_at"]
    list_filter = ["kind", "outreach_status", "jurisdiction"]
    search_fields = ["subject", "body", "notes", "jurisdiction__code"]
    # The text and figures are frozen when the letter is written; only the outreach fields change afterwards.
    readonly_fields = [
        "public_id",
        "jurisdiction",
        "kind",
        "author",
        "recipient",
        "subject",
        "body",
        "figures",
        "citation_verified",
        "responded_by",
        "created_at",
        "updated_at",
    ]


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    fields = ["event", "status", "attempts", "last_status_code", "last_error", "next_attempt_at", "delivered_at"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["organisation", "url", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["organisation", "url"]
    # Made on registration; staff who register an endpoint for an organisation read it here to hand it over.
    readonly_fields = ["secret"]
    raw_id_fields = ["owner"]
    inlines = [WebhookDeliveryInline]

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: object, change: bool) -> None:
        from compliance import webhooks

        if not obj.secret:
            obj.secret = webhooks.new_secret()
        super().save_model(request, obj, form, change)


@admin.register(VolunteerTrust)
class VolunteerTrustAdmin(SimpleHistoryAdmin):
    """Staff grant or withdraw a volunteer's trust by hand; the history tab shows every change, automatic or not."""

    list_display = ["user", "trusted", "change", "changed_by", "changed_at"]
    list_filter = ["trusted", "change"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
    fields = ["user", "trusted", "note", "change", "changed_by", "changed_at"]
    actions = ["grant_trust", "withdraw_trust"]

    def get_readonly_fields(self, request: HttpRequest, obj: VolunteerTrust | None = None) -> list[str]:
        return ["user", "change", "changed_by", "changed_at"] if obj else ["change", "changed_by", "changed_at"]

    def save_model(self, request: HttpRequest, obj: VolunteerTrust, form: object, change: bool) -> None:
        saved = moderation.set_trust(user=obj.user, trusted=obj.trusted, by=request.user, note=obj.note)  # type: ignore[arg-type]
        obj.pk = saved.pk

    @admin.action(description=_("Grant trust"))
    def grant_trust(self, request: HttpRequest, queryset: models.QuerySet[VolunteerTrust]) -> None:
        for row in queryset.select_related("user"):
            moderation.set_trust(user=row.user, trusted=True, by=request.user, note=_("Granted from the list"))  # type: ignore[arg-type]

    @admin.action(description=_("Withdraw trust"))
    def withdraw_trust(self, request: HttpRequest, queryset: models.QuerySet[VolunteerTrust]) -> None:
        for row in queryset.select_related("user"):
            moderation.set_trust(user=row.user, trusted=False, by=request.user, note=_("Withdrawn from the list"))  # type: ignore[arg-type]


@admin.register(LawCorrection)
class LawCorrectionAdmin(admin.ModelAdmin):
    """The staff queue of corrections suggested from outside: read the source, then accept or decline."""

    list_display = ["jurisdiction", "created_at", "status", "source_url", "credit_as"]
    list_filter = ["status", "jurisdiction"]
    search_fields = ["correction", "source_url", "jurisdiction__code"]
    readonly_fields = [
        "jurisdiction",
        "correction",
        "source_url",
        "credit_as",
        "created_at",
        "decided_at",
        "decided_by",
    ]
    fields = [*readonly_fields, "status", "staff_note"]
    actions = ["accept", "decline"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Accept: add the source to the law row and credit the suggestion"))
    def accept(self, request: HttpRequest, queryset: models.QuerySet[LawCorrection]) -> None:
        for correction in queryset.pending().select_related("jurisdiction"):
            registry.accept_correction(correction=correction, by=request.user)

    @admin.action(description=_("Decline"))
    def decline(self, request: HttpRequest, queryset: models.QuerySet[LawCorrection]) -> None:
        for correction in queryset.pending():
            registry.decline_correction(correction=correction, by=request.user)


from compliance import frame_admin  # noqa: E402, F401 - registers the venue frame screens

# --- campaigns and the AG office's own record ---


@admin.register(AGPublicityRecord)
class AGPublicityRecordAdmin(SimpleHistoryAdmin):
    list_display = ["jurisdiction", "on_website", "on_social_media", "in_own_buildings", "checked_on"]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_filter = ["on_website", "on_social_media", "in_own_buildings"]
    search_fields = ["jurisdiction__name", "jurisdiction__code"]
    list_select_related = ["jurisdiction"]
    autocomplete_fields = ["jurisdiction"]


class CampaignLetterInline(admin.TabularInline):
    model = CampaignLetter
    fields = ["letter", "milestone", "supporters"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["jurisdiction", "starts_on", "ends_on", "opened_by"]
    list_select_related = ["jurisdiction", "opened_by"]
    search_fields = ["jurisdiction__name", "jurisdiction__code", "ask"]
    autocomplete_fields = ["jurisdiction"]
    raw_id_fields = ["ag_office", "opened_by"]
    inlines = [CampaignLetterInline]
