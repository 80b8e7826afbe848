"""The missions API: sampled venues that need a visit near a volunteer, each sample's progress, and non-response.

Frame venues are OpenStreetMap's points, not volunteers', so they are public; every answer carrying them names
OpenStreetMap's contributors and licence (ODbL).
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import orjson
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from compliance import frame, missions, scoreboard
from compliance.api.errors import APIError, error_responses
from compliance.api.serializers import PointInput
from compliance.models import Jurisdiction, Sample, SampledVenue, SurveyAttempt, Venue

ATTRIBUTION = {"attribution": frame.ATTRIBUTION, "licence": frame.LICENCE, "licence_url": frame.LICENCE_URL}


class MissionOutput(serializers.Serializer):
    venue_id = serializers.UUIDField(help_text=_("The venue's public id: send it as venue_id with the report."))
    name = serializers.CharField()
    venue_type = serializers.CharField()
    venue_type_name = serializers.CharField()
    jurisdiction = serializers.CharField()
    latitude = serializers.FloatField(help_text=_("OpenStreetMap's point for the venue."))
    longitude = serializers.FloatField()
    distance_m = serializers.FloatField()
    last_observed_on = serializers.DateField(allow_null=True, help_text=_("Null: never visited."))
    owner_reports_posted_on = serializers.DateField(
        allow_null=True, help_text=_("The day the venue's owner says the sign went up, awaiting a volunteer's visit.")
    )
    reason = serializers.CharField(
        help_text=_(
            "owner_reports_posted (listed first: please confirm it), never_visited, or revisit when the last report "
            "is too old."
        )
    )
    directions_url = serializers.URLField(help_text=_("Directions to the venue on openstreetmap.org."))


def directions_url(mission: missions.Mission) -> str:
    return f"https://www.openstreetmap.org/directions?to={mission.latitude:.6f}%2C{mission.longitude:.6f}"


class NearbyMissionsOutput(serializers.Serializer):
    missions = MissionOutput(many=True)
    freshness_days = serializers.IntegerField()
    attribution = serializers.CharField()
    licence = serializers.CharField()
    licence_url = serializers.URLField()


class MissionsNearby(APIView):
    """The nearest sampled venues that still need a visit (never visited, or last report older than the window)."""

    @extend_schema(parameters=[PointInput], responses={200: NearbyMissionsOutput, **error_responses(400)})
    def get(self, request: Request) -> HttpResponse:
        point = PointInput(data=request.query_params)
        point.is_valid(raise_exception=True)
        found = missions.nearby(point.validated_data["lat"], point.validated_data["lon"])
        # A hot read (every volunteer's phone asks it): plain dicts through orjson, not a serializer per item.
        answer = {
            "missions": [
                {**dataclasses.asdict(mission), "reason": mission.reason, "directions_url": directions_url(mission)}
                for mission in found
            ],
            "freshness_days": scoreboard.FRESHNESS_DAYS,
            **ATTRIBUTION,
        }
        return HttpResponse(orjson.dumps(answer), content_type="application/json")


class JurisdictionSample(APIView):
    """A jurisdiction's current sample: seed, frame date, progress per stratum, non-response, and the estimate."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **error_responses(404)})
    def get(self, request: Request, code: str) -> Response:
        jurisdiction = get_object_or_404(Jurisdiction, code=code.upper())
        sample = Sample.objects.current().filter(jurisdiction=jurisdiction).first()
        if sample is None:
            raise APIError(
                status_code=404, code="no_sample", detail=_("No sample has been drawn for this jurisdiction yet.")
            )
        venues = list(
            SampledVenue.objects.filter(sample=sample)
            .order_by("stratum__venue_type__slug", "draw_order")
            .values_list("venue__public_id", flat=True)
        )
        return Response({**missions.summary(sample), "venue_ids": venues, **ATTRIBUTION})


class CouldNotSurveyInput(serializers.Serializer):
    venue_id = serializers.UUIDField(help_text=_("The public id of a venue of a current sample."))
    reason = serializers.ChoiceField(choices=SurveyAttempt.Reason.choices)
    attempted_on = serializers.DateField(required=False)

    def validate_venue_id(self, value: uuid.UUID) -> Venue:
        venue = Venue.objects.filter(public_id=value, draws__is_current=True).first()
        if venue is None:
            raise serializers.ValidationError(_("This venue is in no current sample."), code="not_sampled")
        return venue

    def validate_attempted_on(self, value: Any) -> Any:
        today = timezone.localdate()
        if value > today or (today - value).days > 30:
            raise serializers.ValidationError(_("Give a day in the last 30 days."), code="invalid")
        return value


class CouldNotSurvey(APIView):
    """Record that a sampled venue could not be surveyed (closed, no access...): counted as non-response."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "submissions"

    @extend_schema(request=CouldNotSurveyInput, responses={201: OpenApiTypes.OBJECT, **error_responses(400, 429)})
    def post(self, request: Request) -> Response:
        fields = CouldNotSurveyInput(data=request.data)
        fields.is_valid(raise_exception=True)
        data = fields.validated_data
        attempt = missions.record_could_not_survey(
            venue=data["venue_id"],
            reason=data["reason"],
            attempted_on=data.get("attempted_on") or timezone.localdate(),
            submitter=request.user if request.user.is_authenticated else None,
        )
        answer = {
            "venue_id": str(attempt.venue.public_id),
            "reason": attempt.reason,
            "attempted_on": attempt.attempted_on,
        }
        return Response(answer, status=status.HTTP_201_CREATED)
