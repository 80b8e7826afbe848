"""Input serializers validate what a client sends; output serializers shape what SignWatch answers."""

from __future__ import annotations

import math

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.models import AGOffice, CoveredVenueType, Jurisdiction, LawSource, PostingLaw, VenueType

# --- input ---


class FiniteFloatField(serializers.FloatField):
    """A float that refuses NaN and infinity, which Python's float() happily parses from 'nan' and 'inf'."""

    default_error_messages = {"not_finite": _("Must be a finite number.")}

    def to_internal_value(self, data: object) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("not_finite")
        return value


class PointInput(serializers.Serializer):
    lat = FiniteFloatField(min_value=-90, max_value=90, help_text=_("Latitude in decimal degrees (WGS 84)."))
    lon = FiniteFloatField(min_value=-180, max_value=180, help_text=_("Longitude in decimal degrees (WGS 84)."))


# --- output ---


class VenueTypeOutput(serializers.ModelSerializer):
    class Meta:
        model = VenueType
        fields = ["slug", "name", "description"]


class CoveredVenueTypeOutput(serializers.ModelSerializer):
    slug = serializers.CharField(source="venue_type.slug")
    name = serializers.CharField(source="venue_type.name")

    class Meta:
        model = CoveredVenueType
        fields = ["slug", "name", "condition"]


class LawSourceOutput(serializers.ModelSerializer):
    class Meta:
        model = LawSource
        fields = ["url", "title"]


class PostingLawOutput(serializers.ModelSerializer):
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    status_label = serializers.CharField(source="get_status_display")
    verified = serializers.BooleanField(
        source="is_verified", help_text=_("False for low-confidence research: do not cite it as fact.")
    )
    covered_venue_types = CoveredVenueTypeOutput(source="coverage", many=True)
    sources = LawSourceOutput(many=True)

    class Meta:
        model = PostingLaw
        fields = [
            "id",
            "jurisdiction",
            "status",
            "status_label",
            "verified",
            "confidence",
            "scope",
            "title",
            "citation",
            "session_laws",
            "enacted_year",
            "effective_from",
            "effective_to",
            "covered_venue_types",
            "required_languages",
            "national_hotline_required",
            "text_line_required",
            "required_content",
            "size_and_font",
            "placement",
            "penalty",
            "enforcing_agency",
            "last_verified",
            "notes",
            "sources",
        ]


class AGOfficeOutput(serializers.ModelSerializer):
    class Meta:
        model = AGOffice
        fields = [
            "office_name",
            "address_line1",
            "address_line2",
            "city",
            "state_code",
            "zip_code",
            "address_kind",
            "website",
            "contact",
            "as_of",
            "confidence",
            "notes",
        ]


class JurisdictionSummaryOutput(serializers.ModelSerializer):
    law_status = serializers.SerializerMethodField()
    law_verified = serializers.SerializerMethodField()
    citation = serializers.SerializerMethodField()

    class Meta:
        model = Jurisdiction
        fields = ["code", "name", "fips", "kind", "law_status", "law_verified", "citation"]

    @extend_schema_field(serializers.ChoiceField(choices=PostingLaw.Status.choices))
    def get_law_status(self, jurisdiction: Jurisdiction) -> str:
        law = jurisdiction.current_law()
        return law.status if law else PostingLaw.Status.UNKNOWN

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_law_verified(self, jurisdiction: Jurisdiction) -> bool:
        law = jurisdiction.current_law()
        return bool(law and law.is_verified)

    @extend_schema_field(OpenApiTypes.STR)
    def get_citation(self, jurisdiction: Jurisdiction) -> str:
        law = jurisdiction.current_law()
        return law.citation if law else ""


class JurisdictionDetailOutput(JurisdictionSummaryOutput):
    law = serializers.SerializerMethodField()
    ag_office = serializers.SerializerMethodField()

    class Meta(JurisdictionSummaryOutput.Meta):
        fields = [*JurisdictionSummaryOutput.Meta.fields, "law", "ag_office"]

    @extend_schema_field(PostingLawOutput(allow_null=True))
    def get_law(self, jurisdiction: Jurisdiction) -> dict | None:
        law = jurisdiction.current_law()
        return PostingLawOutput(law).data if law else None

    @extend_schema_field(AGOfficeOutput(allow_null=True))
    def get_ag_office(self, jurisdiction: Jurisdiction) -> dict | None:
        office = getattr(jurisdiction, "ag_office", None)
        return AGOfficeOutput(office).data if office else None


class LocateOutput(serializers.Serializer):
    jurisdiction = serializers.DictField(help_text=_("code and name"))
    distance_m = serializers.FloatField(help_text=_("0 inside the boundary; else metres to the nearest shore line."))
    law_status = serializers.CharField()
    law_verified = serializers.BooleanField()
    citation = serializers.CharField()
    covered_venue_types = CoveredVenueTypeOutput(many=True)
