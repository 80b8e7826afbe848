"""API views: thin; they validate input, ask the domain modules, and answer with output serializers."""

from __future__ import annotations

import math
import uuid
from typing import Any

import django_filters
import orjson
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance import geo, kept, laws, maps, observations, photos, resends, scoreboard
from compliance.api.caching import NoStore
from compliance.api.errors import APIError, error_responses, from_domain
from compliance.api.permissions import IsModerator
from compliance.api.serializers import (
    JurisdictionCodeFilter,
    JurisdictionDetailOutput,
    JurisdictionSummaryOutput,
    LocateOutput,
    ModerationActionInput,
    ModerationResultOutput,
    NearbyInput,
    NearbyVenueOutput,
    ObservationInput,
    PointInput,
    PostingLawOutput,
    PublicVenueOutput,
    ReceiptOutput,
    SlugField,
    SubmissionOutput,
    VenueDetailOutput,
    VenueTypeOutput,
    choice_filter_parameters,
)
from compliance.models import Jurisdiction, Observation, PostingLaw, SignStatus, Venue, VenueType
from compliance.security import SharedScopedRateThrottle

MAX_PHOTOS = 3


class JurisdictionList(generics.ListAPIView):
    """The 56 U.S. jurisdictions with the status of the posting law in force today."""

    serializer_class = JurisdictionSummaryOutput
    queryset = Jurisdiction.objects.with_current_law().order_by("code")
    pagination_class = None


@extend_schema(responses={200: JurisdictionDetailOutput, **error_responses(404)})
class JurisdictionDetail(generics.RetrieveAPIView):
    """A jurisdiction's posting law in plain fields, with covered venue types, sources and its AG office."""

    serializer_class = JurisdictionDetailOutput
    queryset = Jurisdiction.objects.with_current_law()

    def get_object(self) -> Jurisdiction:
        return get_object_or_404(self.get_queryset(), code=self.kwargs["code"].upper())


class VenueTypeList(generics.ListAPIView):
    """Kinds of place a posting law can cover."""

    serializer_class = VenueTypeOutput
    queryset = VenueType.objects.all()
    pagination_class = None


class PostingLawFilter(django_filters.FilterSet):
    jurisdiction = JurisdictionCodeFilter()
    venue_type = django_filters.CharFilter(field_name="covered_venue_types__slug", distinct=True)

    class Meta:
        model = PostingLaw
        fields = ["jurisdiction", "status", "confidence", "venue_type"]


def _laws_with_details():
    return PostingLaw.objects.select_related("jurisdiction").prefetch_related(
        "sources", "coverage__venue_type", "sign_requirements__venue_types"
    )


@extend_schema(
    parameters=choice_filter_parameters(PostingLawFilter),
    responses={200: PostingLawOutput(many=True), **error_responses(400)},
)
class PostingLawList(generics.ListAPIView):
    """Every posting law in the registry, filterable by jurisdiction, status, confidence and venue type."""

    serializer_class = PostingLawOutput
    queryset = _laws_with_details().order_by("jurisdiction__code", "effective_from")
    filterset_class = PostingLawFilter
    pagination_class = None


@extend_schema(responses={200: PostingLawOutput, **error_responses(404)})
class PostingLawDetail(generics.RetrieveAPIView):
    """One posting law."""

    serializer_class = PostingLawOutput
    queryset = _laws_with_details()


class Locate(APIView):
    """Which jurisdiction a point is in, and which venue types its law covers (the submit page asks this first)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", float, required=True, description=_("Latitude, decimal degrees")),
            OpenApiParameter("lon", float, required=True, description=_("Longitude, decimal degrees")),
        ],
        responses={200: LocateOutput, **error_responses(400, 422)},
    )
    def get(self, request: Request) -> Response:
        point = PointInput(data=request.query_params)
        point.is_valid(raise_exception=True)
        try:
            placement = geo.locate(point.validated_data["lat"], point.validated_data["lon"])
        except geo.OutsideSupportedArea as outside:
            raise APIError(
                status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
                code="outside_supported_area",
                detail=_("This point is not in a U.S. state, DC or territory SignWatch covers: %(reason)s")
                % {"reason": outside},
            ) from None
        jurisdiction = get_object_or_404(Jurisdiction.objects.with_current_law(), code=placement.code)
        law = jurisdiction.current_law()
        answer = {
            "jurisdiction": {"code": jurisdiction.code, "name": jurisdiction.name},
            "distance_m": round(placement.distance_m, 1),
            "law_status": law.status if law else PostingLaw.Status.UNKNOWN,
            "law_verified": bool(law and laws.is_verified(law)),
            "citation": laws.citation_to_print(law) if law else "",
            "covered_venue_types": laws.covered_venue_types(law),
        }
        return Response(LocateOutput(answer).data)


# --- volunteers' observations ---


def clean_uploads(files: list[UploadedFile]) -> list[photos.CleanPhoto]:
    """Check and clean each uploaded photo; the first refusal answers for the whole request."""
    if not files:
        raise APIError(status_code=400, code="required", detail=_("Add at least one photo."), field="photos")
    if len(files) > MAX_PHOTOS:
        raise APIError(
            status_code=400,
            code="too_many_photos",
            detail=_("Send at most %(n)d photos.") % {"n": MAX_PHOTOS},
            field="photos",
        )
    limits = observations.intake_limits()
    cleaned = []
    for upload in files:
        if upload.size is not None and upload.size > limits.max_bytes:
            # Refused from the size the parser counted, before a byte of it is read into memory.
            raise APIError(
                status_code=413,
                code="file_too_large",
                detail=_("Each photo must be at most %(mib)d MiB.") % {"mib": limits.max_bytes // (1024 * 1024)},
                field="photos",
            )
        try:
            cleaned.append(photos.process(upload.read(), limits=limits))
        except photos.PhotoRejected as rejected:
            raise from_domain(rejected, field="photos") from None
    return cleaned


class ObservationCreate(NoStore, APIView):
    """A volunteer's report: 1–3 photos of a venue's hotline sign (or of the wall where it is missing)."""

    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [SharedScopedRateThrottle]
    throttle_scope = "submissions"

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # Before anything reads the body: a report sent with an Idempotency-Key is digested as it streams past.
        has_key = request.method == "POST" and bool(request.headers.get("Idempotency-Key"))
        self.body = resends.watch(request) if has_key else None
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": ObservationInput},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description=_("A client-chosen key; a repeat with the same key answers the first result."),
            )
        ],
        responses={201: SubmissionOutput, **error_responses(400, 403, 409, 413, 415, 422, 429, 503)},
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key") or None
        if key is not None and len(key) > 200:
            raise APIError(status_code=400, code="invalid", detail=_("Idempotency-Key is too long."), field=None)
        submitter = request.user if request.user.is_authenticated else None
        try:
            # A resend is known by its key and answered from what the first request recorded: its body is only
            # drained (to check it is the same report), never parsed, and no photo is read or decoded again.
            if key and self.body and (earlier := observations.recorded(key, submitter)):
                repeated = observations.same_request(earlier, self.body.drain())
                return Response(SubmissionOutput(repeated).data, status=status.HTTP_201_CREATED)
        except observations.SubmissionRefused as refused:
            raise from_domain(refused) from None
        fields = ObservationInput(data=request.data)
        fields.is_valid(raise_exception=True)
        uploads = request.FILES.getlist("photos")
        digest = self.body.drain() if key and self.body else ""
        cleaned = clean_uploads(uploads)
        data = fields.validated_data
        point = None
        if data.get("lat") is not None:
            point = observations.ReportedPoint(
                data["lat"], data["lon"], data["location_source"], data.get("accuracy_m")
            )
        venue = data.get("venue_id")
        submission = observations.Submission(
            photos=cleaned,
            point=point,
            venue=venue,
            venue_type=venue.venue_type if venue else data["venue_type"],
            venue_name=data["venue_name"].strip(),
            sign_status=data["sign_status"],
            deficiencies=sorted(data["deficiencies"]),
            languages_seen=[language.strip() for language in data["languages"] if language.strip()],
            notes=data["notes"].strip(),
            observed_on=data.get("observed_on"),
            submitter=submitter,
            idempotency_key=key,
            email=data["email"].strip(),
            language=translation.get_language() or "en",
            request_digest=digest,
        )
        try:
            observation = observations.submit(submission)
        except observations.SubmissionRefused as refused:
            raise from_domain(refused) from None
        return Response(SubmissionOutput(observation).data, status=status.HTTP_201_CREATED)


class ObservationReceipt(NoStore, APIView):
    """The submitter's view of their report: pending, approved or rejected, with the moderator's reason."""

    throttle_classes = [SharedScopedRateThrottle]
    throttle_scope = "receipts"

    @extend_schema(responses={200: ReceiptOutput, **error_responses(404, 429)})
    def get(self, request: Request, receipt: str) -> Response:
        observation = get_object_or_404(
            Observation.objects.select_related("venue__venue_type", "venue__jurisdiction"), receipt=receipt
        )
        return Response(ReceiptOutput(observation).data)


@extend_schema(responses={200: ReceiptOutput(many=True), **error_responses(403)})
class MyObservations(NoStore, generics.ListAPIView):
    """A logged-in volunteer's own reports, newest first."""

    serializer_class = ReceiptOutput
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Observation.objects.none()
        return (
            Observation.objects.filter(submitter=self.request.user)
            .select_related("venue__venue_type", "venue__jurisdiction")
            .order_by("-created_at")[:200]
        )


# --- venues ---


@extend_schema(responses={200: PublicVenueOutput, **error_responses(404)})
class VenueDetail(generics.RetrieveAPIView):
    """A venue on the public map (one with an approved observation), with its owner's claim if any."""

    serializer_class = VenueDetailOutput
    queryset = Venue.objects.public().select_related("venue_type", "jurisdiction")
    lookup_field = "public_id"

    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        # Kept whole (kept.answer): a venue's answer changes only with the data; a 404 is answered afresh each time.
        build = super().get
        return kept.answer(
            request._request,
            f"venue:{request.accepted_media_type}:{request.build_absolute_uri()}",
            lambda: self.finalize_response(request, build(request, *args, **kwargs), *args, **kwargs).render(),
            jurisdiction=kept.jurisdiction_of_venue(**kwargs),
        )


class NearbyVenues(APIView):
    """Public venues near a point, nearest first: the submit page's "is it one of these?" list."""

    RADIUS_M = 300
    LIMIT = 10

    @extend_schema(parameters=[NearbyInput], responses={200: NearbyVenueOutput(many=True), **error_responses(400)})
    def get(self, request: Request) -> Response:
        query = NearbyInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        lat, lon = query.validated_data["lat"], query.validated_data["lon"]
        venues = Venue.objects.public().near(lat, lon, self.RADIUS_M).select_related("venue_type", "jurisdiction")
        if venue_type := query.validated_data.get("venue_type"):
            venues = venues.filter(venue_type=venue_type)
        ranked = []
        for venue in venues[:500]:
            venue.distance_m = round(geo.distance_m(lat, lon, venue.latitude, venue.longitude), 1)
            if venue.distance_m <= self.RADIUS_M:
                ranked.append(venue)
        ranked.sort(key=lambda venue: venue.distance_m)
        return Response(NearbyVenueOutput(ranked[: self.LIMIT], many=True).data)


# --- moderation ---


class ModerateObservation(NoStore, APIView):
    """Approve or reject a pending observation. A second decision on the same observation answers 409."""

    permission_classes = [IsModerator]

    @extend_schema(
        request=ModerationActionInput,
        responses={200: ModerationResultOutput, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        decision = ModerationActionInput(data=request.data)
        decision.is_valid(raise_exception=True)
        observation = get_object_or_404(Observation, public_id=public_id)
        try:
            observation = observations.moderate(
                observation=observation,
                moderator=request.user,
                action=decision.validated_data["action"],
                reason=decision.validated_data["reason"],
                deficiencies=decision.validated_data.get("deficiencies"),
            )
        except observations.ModerationRefused as refused:
            raise from_domain(refused) from None
        return Response(ModerationResultOutput(observation).data)


# --- compliance and the map ---


# Exempt from CSRF (it only reads) so that another method gets require_safe's 405, not the CSRF page's HTML 403.
@csrf_exempt
@require_safe
def compliance_figures(request: HttpRequest) -> HttpResponse:
    """Compliance for every jurisdiction (the choropleth's data), from the cache, with an ETag.

    A plain Django view, not DRF: a conditional GET must answer 304 from the cache alone, with no database query.
    """
    figures = scoreboard.current()
    if request.META.get("HTTP_IF_NONE_MATCH") == figures.etag:  # not request.headers: that copies every header
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(figures.body, content_type="application/json")
    response["ETag"] = figures.etag
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


class MapInput(serializers.Serializer):
    bbox = serializers.CharField(help_text=_("west,south,east,north in decimal degrees"))
    zoom = serializers.IntegerField(min_value=0, max_value=22)
    venue_type = SlugField(slug_field="slug", queryset=VenueType.objects.all(), required=False)
    status = serializers.CharField(required=False, help_text=_("Comma-separated: posted, deficient, missing"))

    def validate_bbox(self, value: str) -> tuple[float, float, float, float]:
        parts = value.split(",")
        try:
            west, south, east, north = (float(part) for part in parts)
        except ValueError:
            raise serializers.ValidationError(_("Give four numbers: west,south,east,north."), code="invalid") from None
        if not all(math.isfinite(number) for number in (west, south, east, north)):
            raise serializers.ValidationError(_("Coordinates must be finite numbers."), code="invalid")
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
            raise serializers.ValidationError(_("The box is outside the world or upside down."), code="invalid")
        return west, south, east, north

    def validate_status(self, value: str) -> tuple[str, ...]:
        statuses = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
        unknown = [status for status in statuses if status not in SignStatus.values]
        if unknown or not statuses:
            raise serializers.ValidationError(_("Use posted, deficient and/or missing."), code="invalid_choice")
        return statuses


class MapFeatures(APIView):
    """GeoJSON for a map viewport: clusters with counts by status at low zoom, venues at high zoom (approved only)."""

    @extend_schema(parameters=[MapInput], responses={200: OpenApiTypes.OBJECT, **error_responses(400)})
    def get(self, request: Request) -> HttpResponse:
        query = MapInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        west, south, east, north = query.validated_data["bbox"]
        view = maps.View(
            west=west,
            south=south,
            east=east,
            north=north,
            zoom=query.validated_data["zoom"],
            venue_type=query.validated_data.get("venue_type"),
            statuses=query.validated_data.get("status") or tuple(SignStatus.values),
        )
        # Everyone opening the map asks for the same few views first.
        venue_type = view.venue_type.pk if view.venue_type else ""
        name = (
            f"map:{view.west},{view.south},{view.east},{view.north},{view.zoom},{venue_type},{','.join(view.statuses)}"
        )
        return kept.answer(
            request._request,
            name,
            lambda: HttpResponse(orjson.dumps(maps.features(view)), content_type="application/geo+json"),
        )
