"""Input serializers validate what a client sends; output serializers shape what SignWatch answers."""

from __future__ import annotations

import datetime
import math
import re

import django_filters
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from compliance import frame, scoreboard
from compliance.models import (
    AGOffice,
    CoveredVenueType,
    Deficiency,
    Jurisdiction,
    LawSource,
    Observation,
    Photo,
    PostingLaw,
    Review,
    SignStatus,
    Venue,
    VenueType,
)

# --- input ---

SLUG_SHAPE = re.compile(r"[-a-zA-Z0-9_]{1,64}")


class FiniteFloatField(serializers.FloatField):
    """A float that refuses NaN and infinity, which Python's float() happily parses from 'nan' and 'inf'."""

    default_error_messages = {"not_finite": _("Must be a finite number.")}

    def to_internal_value(self, data: object) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("not_finite")
        return value


class SlugField(serializers.SlugRelatedField):
    """A related object named by its slug. Anything not shaped like a slug is unknown without asking the database,
    which matters on PostgreSQL: a NUL byte in a query parameter would be an error there, not a miss."""

    def to_internal_value(self, data: object) -> object:
        if not isinstance(data, str) or not SLUG_SHAPE.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:64])
        return super().to_internal_value(data)


class PointInput(serializers.Serializer):
    lat = FiniteFloatField(min_value=-90, max_value=90, help_text=_("Latitude in decimal degrees (WGS 84)."))
    lon = FiniteFloatField(min_value=-180, max_value=180, help_text=_("Longitude in decimal degrees (WGS 84)."))


def choice_filter_parameters(filterset: type[django_filters.FilterSet]) -> list[OpenApiParameter]:
    """A FilterSet's choice filters as query parameters whose enum includes "", which django-filter reads as any."""
    return [
        OpenApiParameter(
            name,
            str,
            enum=[*(value for value, _label in choice_filter.extra["choices"]), ""],
            description=_("Empty or absent: any."),
        )
        for name, choice_filter in filterset.base_filters.items()
        if isinstance(choice_filter, django_filters.ChoiceFilter)
    ]


# --- output ---


class VenueTypeOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="local_name", help_text=_("In the request's language (Accept-Language)."))

    class Meta:
        model = VenueType
        fields = ["slug", "name", "description"]


class CoveredVenueTypeOutput(serializers.ModelSerializer):
    slug = serializers.CharField(source="venue_type.slug")
    name = serializers.CharField(source="venue_type.local_name")

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


class CoverageOutput(serializers.Serializer):
    venue_type = serializers.CharField()
    venue_type_name = serializers.CharField()
    frame = serializers.IntegerField(help_text=_("Open venues of this type in the OpenStreetMap frame (N)."))
    observed = serializers.IntegerField(help_text=_("Of those, venues with an approved report in the window (n)."))
    share = serializers.FloatField(allow_null=True, help_text=_("observed / frame; null for an empty frame."))
    condition = serializers.CharField(help_text=_("The law covers this type only under this condition, if any."))


class JurisdictionDetailOutput(JurisdictionSummaryOutput):
    law = serializers.SerializerMethodField()
    ag_office = serializers.SerializerMethodField()
    compliance = serializers.SerializerMethodField(
        help_text=_("This jurisdiction's entry of /api/compliance/: overall and per venue type, with intervals.")
    )

    coverage = serializers.SerializerMethodField(
        help_text=_(
            "Per venue type the law covers: venues in the OpenStreetMap frame (frame), those with an approved report "
            "in the freshness window (observed), and the share. Frame data © OpenStreetMap contributors (ODbL)."
        )
    )

    class Meta(JurisdictionSummaryOutput.Meta):
        fields = [*JurisdictionSummaryOutput.Meta.fields, "law", "ag_office", "compliance", "coverage"]

    @extend_schema_field(CoverageOutput(many=True))
    def get_coverage(self, jurisdiction: Jurisdiction) -> list[dict[str, object]]:
        return [row.as_dict() for row in frame.coverage(jurisdiction, freshness_days=scoreboard.FRESHNESS_DAYS)]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_compliance(self, jurisdiction: Jurisdiction) -> dict:
        return scoreboard.current().data["jurisdictions"][jurisdiction.code]

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


# --- observations ---


class ObservationInput(serializers.Serializer):
    """The fields of a volunteer's report (the photos arrive as files and are checked by compliance.photos)."""

    lat = FiniteFloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    lon = FiniteFloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    accuracy_m = FiniteFloatField(min_value=0, max_value=100_000, required=False, allow_null=True)
    location_source = serializers.ChoiceField(
        choices=[Observation.LocationSource.DEVICE, Observation.LocationSource.MANUAL],
        default=Observation.LocationSource.DEVICE,
    )
    venue_type = SlugField(slug_field="slug", queryset=VenueType.objects.all())
    venue_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    venue_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    sign_status = serializers.ChoiceField(choices=SignStatus.choices)
    deficiencies = serializers.MultipleChoiceField(choices=Deficiency.choices, required=False, default=set)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=12
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    observed_on = serializers.DateField(required=False, allow_null=True)

    def validate_observed_on(self, value: datetime.date | None) -> datetime.date | None:
        if value and value > timezone.localdate() + datetime.timedelta(days=1):
            raise serializers.ValidationError(_("The date cannot be in the future."), code="future_date")
        return value

    def validate_venue_id(self, value: int | None) -> Venue | None:
        if value is None:
            return None
        venue = Venue.objects.filter(pk=value).select_related("venue_type").first()
        if venue is None:
            raise serializers.ValidationError(_("There is no such venue."), code="unknown_venue")
        return venue

    def validate(self, attrs: dict) -> dict:
        if (attrs.get("lat") is None) != (attrs.get("lon") is None):
            missing = "lon" if attrs.get("lon") is None else "lat"
            raise serializers.ValidationError({missing: _("Send both lat and lon, or neither.")}, code="required")
        deficient = attrs["sign_status"] == SignStatus.DEFICIENT
        if attrs["deficiencies"] and not deficient:
            raise serializers.ValidationError(
                {"deficiencies": _("Deficiencies apply only to a sign that is posted but deficient.")}, code="invalid"
            )
        if deficient and not attrs["deficiencies"]:
            raise serializers.ValidationError({"deficiencies": _("Tick what is wrong with the sign.")}, code="required")
        return attrs


class SubmissionOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    receipt = serializers.CharField()
    review_status = serializers.CharField()
    jurisdiction = serializers.CharField(source="venue.jurisdiction.code")
    venue_id = serializers.SerializerMethodField(
        help_text=_("The venue's id once it is public; null for a venue not yet on the map.")
    )

    @extend_schema_field(OpenApiTypes.INT)
    def get_venue_id(self, observation: Observation) -> int | None:
        # Only a venue already on the public map is named: the answer must not reveal what others reported.
        return observation.venue_id if observation.venue.is_public else None


class ReceiptOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    review_status = serializers.CharField()
    review_status_label = serializers.CharField(source="get_review_status_display")
    review_reason = serializers.CharField()
    submitted_on = serializers.DateField()
    observed_on = serializers.DateField()
    sign_status = serializers.CharField()
    venue_type = serializers.CharField(source="venue.venue_type.local_name")
    jurisdiction = serializers.CharField(source="venue.jurisdiction.code")


class PublicVenueOutput(serializers.ModelSerializer):
    venue_type = serializers.CharField(source="venue_type.slug")
    venue_type_name = serializers.CharField(source="venue_type.local_name")
    jurisdiction = serializers.CharField(source="jurisdiction.code")

    class Meta:
        model = Venue
        fields = [
            "id",
            "name",
            "venue_type",
            "venue_type_name",
            "latitude",
            "longitude",
            "jurisdiction",
            "current_status",
            "status_observed_on",
        ]


class NearbyVenueOutput(PublicVenueOutput):
    distance_m = serializers.FloatField()

    class Meta(PublicVenueOutput.Meta):
        fields = [*PublicVenueOutput.Meta.fields, "distance_m"]


class NearbyInput(PointInput):
    venue_type = SlugField(slug_field="slug", queryset=VenueType.objects.all(), required=False)


class ModerationPhotoOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    duplicate_of = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "url", "thumbnail_url", "width", "height", "duplicate_of"]

    def get_url(self, photo: Photo) -> str:
        return reverse("photo", args=[photo.public_id])

    def get_thumbnail_url(self, photo: Photo) -> str:
        return reverse("photo-thumbnail", args=[photo.public_id])

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_duplicate_of(self, photo: Photo) -> dict | None:
        original = photo.duplicate_of
        if original is None:
            return None
        return {
            "observation": str(original.observation.public_id),
            "review_status": original.observation.review_status,
            "url": reverse("photo", args=[original.public_id]),
            "thumbnail_url": reverse("photo-thumbnail", args=[original.public_id]),
        }


class ModerationItemOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    venue = PublicVenueOutput()
    venue_is_new = serializers.SerializerMethodField()
    photos = ModerationPhotoOutput(many=True)
    flag_labels = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Observation
        fields = [
            "id",
            "created_at",
            "observed_on",
            "sign_status",
            "deficiencies",
            "languages_seen",
            "notes",
            "flags",
            "flag_labels",
            "captured_latitude",
            "captured_longitude",
            "location_accuracy_m",
            "location_source",
            "captured_at",
            "venue",
            "venue_is_new",
            "photos",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_venue_is_new(self, observation: Observation) -> bool:
        return not observation.venue.is_public


class ModerationActionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=Review.Action.choices)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ModerationResultOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    review_status = serializers.CharField()
    review_reason = serializers.CharField()
    venue_status = serializers.CharField(source="venue.current_status")
