"""API views: thin; they validate input, ask the domain modules, and answer with output serializers."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance import geo
from compliance.api.errors import APIError
from compliance.api.serializers import (
    JurisdictionDetailOutput,
    JurisdictionSummaryOutput,
    LocateOutput,
    PointInput,
    PostingLawOutput,
    VenueTypeOutput,
)
from compliance.models import Jurisdiction, PostingLaw, VenueType


class JurisdictionList(generics.ListAPIView):
    """The 56 U.S. jurisdictions with the status of the posting law in force today."""

    serializer_class = JurisdictionSummaryOutput
    queryset = Jurisdiction.objects.with_current_law().order_by("code")
    pagination_class = None


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
    jurisdiction = django_filters.CharFilter(field_name="jurisdiction__code", lookup_expr="iexact")
    venue_type = django_filters.CharFilter(field_name="covered_venue_types__slug", distinct=True)

    class Meta:
        model = PostingLaw
        fields = ["jurisdiction", "status", "confidence", "venue_type"]


def _laws_with_details():
    return PostingLaw.objects.select_related("jurisdiction").prefetch_related("sources", "coverage__venue_type")


class PostingLawList(generics.ListAPIView):
    """Every posting law in the registry, filterable by jurisdiction, status, confidence and venue type."""

    serializer_class = PostingLawOutput
    queryset = _laws_with_details().order_by("jurisdiction__code", "effective_from")
    filterset_class = PostingLawFilter
    pagination_class = None


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
        responses={200: LocateOutput},
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
            "law_verified": bool(law and law.is_verified),
            "citation": law.citation if law else "",
            "covered_venue_types": list(law.coverage.all()) if law else [],
        }
        return Response(LocateOutput(answer).data)
