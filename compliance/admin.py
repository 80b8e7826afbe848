"""Staff screens for the reference data. Law edits are audited by django-simple-history (who, when, what changed)."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from compliance.models import AGOffice, CoveredVenueType, Jurisdiction, LawSource, PostingLaw, VenueType


class CoveredVenueTypeInline(admin.TabularInline):
    model = CoveredVenueType
    extra = 1
    autocomplete_fields = ["venue_type"]


# Sources are pasted from a browser's address bar; an address typed without a scheme is taken as https.
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class LawSourceInline(admin.TabularInline):
    model = LawSource
    extra = 1
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS


@admin.register(PostingLaw)
class PostingLawAdmin(SimpleHistoryAdmin):
    list_display = ["jurisdiction", "status", "citation", "confidence", "verified", "last_verified"]
    list_filter = ["status", "confidence", "jurisdiction__kind", "covered_venue_types"]
    search_fields = ["jurisdiction__name", "jurisdiction__code", "citation", "session_laws", "title", "notes"]
    list_select_related = ["jurisdiction"]
    autocomplete_fields = ["jurisdiction"]
    inlines = [CoveredVenueTypeInline, LawSourceInline]
    readonly_fields = ["reference_key"]
    fieldsets = [
        (None, {"fields": ["jurisdiction", "status", "scope", "title", "citation", "session_laws"]}),
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
        (_("Enforcement"), {"fields": ["penalty", "enforcing_agency"]}),
        (_("Provenance"), {"fields": ["confidence", "last_verified", "notes", "reference_key"]}),
    ]

    @admin.display(boolean=True, description=_("verified"))
    def verified(self, law: PostingLaw) -> bool:
        return law.is_verified


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "fips", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "fips"]


@admin.register(VenueType)
class VenueTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(AGOffice)
class AGOfficeAdmin(SimpleHistoryAdmin):
    list_display = ["jurisdiction", "office_name", "city", "confidence"]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_filter = ["confidence"]
    search_fields = ["jurisdiction__name", "jurisdiction__code", "office_name", "city"]
    list_select_related = ["jurisdiction"]
    autocomplete_fields = ["jurisdiction"]
