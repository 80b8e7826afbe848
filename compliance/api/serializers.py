"""Input serializers validate what a client sends; output serializers shape what SignWatch answers."""

from __future__ import annotations

import datetime
import math
import re
import uuid
from typing import Any

import django_filters
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from compliance import frame, laws, owners, scoreboard
from compliance.models import (
    AGOffice,
    Deficiency,
    Jurisdiction,
    LawSource,
    Observation,
    Photo,
    PostingLaw,
    Review,
    SignReading,
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


class JurisdictionField(serializers.CharField):
    """A jurisdiction named by its USPS code, in either case; an unknown code is a 400 `unknown_jurisdiction`."""

    default_error_messages = {"unknown_jurisdiction": _("There is no jurisdiction with this code.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("help_text", _("USPS code, e.g. TX"))
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # The text is checked first (length, NUL bytes, which PostgreSQL would refuse in a query), then looked up.
        code = super().run_validation(data)
        jurisdiction = Jurisdiction.objects.filter(code=code.strip().upper()).first()
        if jurisdiction is None:
            self.fail("unknown_jurisdiction")
        return jurisdiction


JURISDICTION_CODE = r"^([A-Za-z]{2})?$"  # empty: no filter, as django-filter reads it


@extend_schema_field({"type": "string", "pattern": JURISDICTION_CODE, "description": "USPS code, e.g. TX"})
class JurisdictionCodeFilter(django_filters.CharFilter):
    """A filter on a jurisdiction's USPS code: two letters, either case; anything else is a 400, as documented."""

    field_class = forms.RegexField

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("field_name", "jurisdiction__code")
        super().__init__(lookup_expr="iexact", regex=JURISDICTION_CODE, **kwargs)


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


class CoveredVenueTypeOutput(serializers.Serializer):
    """A venue type a law lists, as `laws.covered_venue_types` reads it."""

    slug = serializers.CharField()
    name = serializers.CharField(source="local_name")
    condition = serializers.CharField()
    confirmed = serializers.BooleanField(
        help_text=_("False when only a secondary source lists the venue type: not stated as law.")
    )


class SignSpecificationOutput(serializers.Serializer):
    """One sign a law requires, as `laws.signs_required` reads it."""

    citation = serializers.CharField()
    venue_types = serializers.ListField(child=serializers.CharField(), help_text=_("Empty: the law's general sign."))
    min_width_in = serializers.FloatField(source="size.min_width_in", allow_null=True)
    min_height_in = serializers.FloatField(source="size.min_height_in", allow_null=True)
    min_font_pt = serializers.FloatField(source="size.min_font_pt", allow_null=True)
    languages = serializers.ListField(child=serializers.CharField())
    hotline_name = serializers.CharField(help_text=_("Empty: the national hotline."))
    hotline_number = serializers.CharField(help_text=_("Empty: the national hotline."))
    wording = serializers.CharField()
    placement = serializers.CharField()
    audience = serializers.CharField()


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
    citation = serializers.SerializerMethodField(help_text=_("The citation documents print: citable strings only."))
    covered_venue_types = serializers.SerializerMethodField()
    signs = serializers.SerializerMethodField(help_text=_("The signs the law requires: its general sign first."))
    sources = LawSourceOutput(many=True)

    @extend_schema_field(OpenApiTypes.STR)
    def get_citation(self, law: PostingLaw) -> str:
        return laws.citation_to_print(law)

    @extend_schema_field(CoveredVenueTypeOutput(many=True))
    def get_covered_venue_types(self, law: PostingLaw) -> list[dict[str, Any]]:
        return list(CoveredVenueTypeOutput(laws.covered_venue_types(law), many=True).data)

    @extend_schema_field(SignSpecificationOutput(many=True))
    def get_signs(self, law: PostingLaw) -> list[dict[str, Any]]:
        return list(SignSpecificationOutput(laws.signs_required(law), many=True).data)

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
            "citations",
            "session_law_citations",
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
            "penalty_amounts",
            "enforcing_agency",
            "signs",
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
        return bool(law and laws.is_verified(law))

    @extend_schema_field(OpenApiTypes.STR)
    def get_citation(self, jurisdiction: Jurisdiction) -> str:
        law = jurisdiction.current_law()
        return laws.citation_to_print(law) if law else ""


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
    venue_id = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=64,
        help_text=_("The public id of a venue on the map (from /api/venues/nearby/), when the report is about it."),
    )
    venue_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    sign_status = serializers.ChoiceField(choices=SignStatus.choices)
    deficiencies = serializers.MultipleChoiceField(choices=Deficiency.choices, required=False, default=set)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=12
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    observed_on = serializers.DateField(required=False, allow_null=True)
    email = serializers.EmailField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Optional: to hear what became of the report (the review, answers to letters about its state). Kept only "
            "for this, never shown to anyone; every email has a link that deletes it."
        ),
    )

    def validate_observed_on(self, value: datetime.date | None) -> datetime.date | None:
        if value and value > timezone.localdate() + datetime.timedelta(days=1):
            raise serializers.ValidationError(_("The date cannot be in the future."), code="future_date")
        return value

    def validate_venue_id(self, value: str | None) -> Venue | None:
        if not value:
            return None
        # Only a venue on the public map may be named, and every refusal reads the same (malformed, unknown, or
        # known only through reports not yet approved): the answer must not tell what others have reported.
        try:
            public_id = uuid.UUID(value)
        except ValueError:
            public_id = None
        # OpenStreetMap's venues (the frame) are public too: their points are OSM's, and missions send volunteers there.
        nameable = Venue.objects.public() | Venue.objects.in_frame()
        venue = nameable.filter(public_id=public_id).select_related("venue_type").first() if public_id else None
        if venue is None:
            raise serializers.ValidationError(_("There is no such venue on the map."), code="unknown_venue")
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
        help_text=_("The venue's public id once it is on the map; null for a venue not yet on the map.")
    )

    @extend_schema_field(OpenApiTypes.UUID)
    def get_venue_id(self, observation: Observation) -> str | None:
        # Only a venue already on the public map is named: the answer must not reveal what others reported.
        return str(observation.venue.public_id) if observation.venue.is_public else None


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
    id = serializers.UUIDField(source="public_id", help_text=_("The venue's public id, as in /v/{id}/."))
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
            "disputed",
        ]


class OwnerClaimOutput(serializers.Serializer):
    reported_on = serializers.DateField(help_text=_("The day the venue's owner says the sign went up."))
    confirmed_on = serializers.DateField(
        allow_null=True, help_text=_("The day a volunteer's visit confirmed it; null while awaiting one.")
    )


class VenueDetailOutput(PublicVenueOutput):
    owner_claim = serializers.SerializerMethodField(
        help_text=_(
            "The owner's approved report that the sign is posted (it counts in no figure); null when there is none, "
            "or when a volunteer's later visit found the sign missing."
        )
    )

    class Meta(PublicVenueOutput.Meta):
        fields = [*PublicVenueOutput.Meta.fields, "owner_claim"]

    @extend_schema_field(OwnerClaimOutput(allow_null=True))
    def get_owner_claim(self, venue: Venue) -> dict | None:
        claim = owners.public_claim(venue)
        return OwnerClaimOutput(claim).data if claim else None


class NearbyVenueOutput(PublicVenueOutput):
    distance_m = serializers.FloatField()

    class Meta(PublicVenueOutput.Meta):
        fields = [*PublicVenueOutput.Meta.fields, "distance_m"]


class NearbyInput(PointInput):
    venue_type = SlugField(slug_field="slug", queryset=VenueType.objects.all(), required=False)


def _reading_of(photo: Photo) -> SignReading | None:
    try:
        return photo.sign_reading
    except SignReading.DoesNotExist:
        return None


class PhotoReadingOutput(serializers.Serializer):
    """What the machine read on one photo, with the boxes of the lines that hold a finding, to draw on it."""

    outcome = serializers.CharField()
    lines = serializers.JSONField()
    highlights = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_highlights(self, reading: SignReading) -> list[dict]:
        highlights = []
        for finding in reading.findings:
            for index in finding["lines"]:
                if index < len(reading.lines):
                    highlights.append({"kind": finding["kind"], "box": reading.lines[index]["box"]})
        return highlights


class ModerationPhotoOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    duplicate_of = serializers.SerializerMethodField()
    sign_reading = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "url", "thumbnail_url", "width", "height", "duplicate_of", "sign_reading"]

    @extend_schema_field(PhotoReadingOutput(allow_null=True))
    def get_sign_reading(self, photo: Photo) -> dict | None:
        reading = _reading_of(photo)
        return PhotoReadingOutput(reading).data if reading else None

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


class SignReadingOutput(serializers.Serializer):
    """The machine reading of an observation's photos together: what any of them shows."""

    status = serializers.ChoiceField(choices=["read", "pending"], help_text=_("pending until every photo is read"))
    outcome = serializers.ChoiceField(choices=SignReading.Outcome.choices, allow_null=True)
    hotline_found = serializers.BooleanField(allow_null=True)
    text_line_found = serializers.BooleanField(allow_null=True)
    state_hotline_found = serializers.BooleanField(
        allow_null=True, help_text=_("null where the law names no state hotline")
    )
    numbers = serializers.JSONField(help_text=_("each number read: kind, value, written, confidence, note"))
    languages = serializers.ListField(child=serializers.CharField())
    suggested_deficiencies = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()
    engine = serializers.CharField()


def sign_reading_summary(photos: list[Photo]) -> dict:
    """The readings of an observation's photos merged: a number counts as read if any photo shows it."""
    readings = [reading for photo in photos if (reading := _reading_of(photo))]
    complete = bool(photos) and len(readings) == len(photos)
    numbers = []
    for reading in readings:
        for finding in reading.findings:
            if not any(number["kind"] == finding["kind"] and number["value"] == finding["value"] for number in numbers):
                numbers.append({key: finding[key] for key in ("kind", "value", "written", "confidence", "note")})
    outcomes = [reading.outcome for reading in readings]
    state = [reading.state_hotline_found for reading in readings if reading.state_hotline_found is not None]
    return {
        "status": "read" if complete else "pending",
        "outcome": next((o for o in SignReading.Outcome.values if o in outcomes), None),
        "hotline_found": any(reading.hotline_found for reading in readings) if readings else None,
        "text_line_found": any(reading.text_line_found for reading in readings) if readings else None,
        "state_hotline_found": any(state) if state else None,
        "numbers": numbers,
        "languages": sorted({language for reading in readings for language in reading.languages}),
        # A deficiency one photo supports but another contradicts (the number on the second photo) is not suggested.
        "suggested_deficiencies": _suggested(readings),
        "text": "\n\n".join(reading.text for reading in readings if reading.text),
        "engine": " ".join(dict.fromkeys(f"{r.engine} {r.engine_version}".strip() for r in readings)),
    }


def _suggested(readings: list[SignReading]) -> list[str]:
    if not readings:
        return []
    legible = any(reading.number_legible for reading in readings)
    suggested = dict.fromkeys(code for reading in readings for code in reading.suggested_deficiencies)
    if legible:
        suggested.pop(Deficiency.MISSING_NUMBER, None)
        suggested.pop(Deficiency.WRONG_NUMBER, None)
    if any(reading.text_line_found for reading in readings):
        suggested.pop(Deficiency.MISSING_TEXT_LINE, None)
    return list(suggested)


class ModerationItemOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    venue = PublicVenueOutput()
    venue_is_new = serializers.SerializerMethodField()
    photos = ModerationPhotoOutput(many=True)
    flag_labels = serializers.ListField(child=serializers.CharField())
    may_decide = serializers.SerializerMethodField(
        help_text=_("False for the moderator's own report: another moderator decides on it.")
    )
    sign_reading = serializers.SerializerMethodField()

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
            "may_decide",
            "sign_reading",
            "reported_by_owner",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_venue_is_new(self, observation: Observation) -> bool:
        return not observation.venue.is_public

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_may_decide(self, observation: Observation) -> bool:
        request = self.context.get("request")
        moderator_id = request.user.pk if request is not None else None
        return observation.submitter_id is None or observation.submitter_id != moderator_id

    @extend_schema_field(SignReadingOutput)
    def get_sign_reading(self, observation: Observation) -> dict:
        return sign_reading_summary(list(observation.photos.all()))


class ModerationActionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=Review.Action.choices)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    deficiencies = serializers.MultipleChoiceField(
        choices=Deficiency.choices,
        required=False,
        help_text=_(
            "On approval, the deficiencies the moderator confirms (the page pre-fills those the sign reading "
            "supports); they replace the volunteer's. Left out, the volunteer's stand."
        ),
    )


class ModerationResultOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    review_status = serializers.CharField()
    review_reason = serializers.CharField()
    venue_status = serializers.CharField(source="venue.current_status")
