"""A venue owner's report that the sign is posted now: POST /api/venues/{id}/owner-reports/ (no account needed)."""

from __future__ import annotations

import datetime
import uuid

from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance import observations, owners
from compliance.api.caching import NoStore
from compliance.api.errors import error_responses, from_domain
from compliance.api.serializers import SubmissionOutput
from compliance.api.views import clean_uploads
from compliance.models import Venue
from compliance.security import SharedScopedRateThrottle


class OwnerReportInput(serializers.Serializer):
    """The fields of an owner's report; the photos' content is checked by the intake (compliance.photos)."""

    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,  # none at all is answered by the intake's own 400 (code "required", field "photos")
        help_text=gettext_lazy("1–3 photos of the sign where it is posted."),
    )
    posted_on = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("The day the sign went up (today if not given).")
    )
    email = serializers.EmailField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Optional: to hear what the moderators decided. Kept only for this, never shown."),
    )

    def validate_posted_on(self, value: datetime.date | None) -> datetime.date | None:
        if value and value > timezone.localdate() + datetime.timedelta(days=1):
            raise serializers.ValidationError(_("The date cannot be in the future."), code="future_date")
        return value


class OwnerReportCreate(NoStore, APIView):
    """A venue owner reports the venue's sign posted, with a photo. It goes to moderation marked as the owner's and
    counts in no figure: the venue page says the owner reports it posted, awaiting a volunteer's visit, and the
    venue goes to the top of the volunteers' re-visit list. One open claim per venue (409 owner_claim_open)."""

    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [SharedScopedRateThrottle]
    throttle_scope = "submissions"  # counted with the volunteers' reports, per client address

    @extend_schema(
        request={"multipart/form-data": OwnerReportInput},
        responses={201: SubmissionOutput, **error_responses(400, 404, 409, 413, 415, 429, 503)},
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        venue = get_object_or_404(
            Venue.objects.public().select_related("venue_type", "jurisdiction"), public_id=public_id
        )
        fields = OwnerReportInput(data=request.data)
        fields.is_valid(raise_exception=True)
        if owners.has_open_claim(venue):  # answered before any photo is decoded
            raise from_domain(observations.OwnerClaimOpen())
        cleaned = clean_uploads(request.FILES.getlist("photos"))
        try:
            observation = owners.report_posted(
                venue=venue,
                cleaned=cleaned,
                posted_on=fields.validated_data.get("posted_on"),
                email=fields.validated_data["email"],
                language=translation.get_language() or "en",
            )
        except observations.SubmissionRefused as refused:
            raise from_domain(refused) from None
        return Response(SubmissionOutput(observation).data, status=status.HTTP_201_CREATED)
