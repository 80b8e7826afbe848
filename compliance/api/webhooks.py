"""The webhooks API: an organisation's advocate registers an HTTPS endpoint for the events it wants.

    POST   /api/webhooks/                      {"organisation", "url", "events": [...], "jurisdictions": [...]}
    GET    /api/webhooks/                      your endpoints
    GET    /api/webhooks/{id}/deliveries/      the delivery log: each event, attempts, last answer
    DELETE /api/webhooks/{id}/                 stop sending

The signing secret is answered once, on registration (see compliance/webhooks.py for the signature).
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance import roles, webhooks
from compliance.api.errors import error_responses
from compliance.models import Jurisdiction, WebhookDelivery, WebhookEndpoint, WebhookEvent


class IsAdvocate(BasePermission):
    message = _("Only advocates may register webhooks.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return roles.is_advocate(request.user)


class EndpointInput(serializers.Serializer):
    organisation = serializers.CharField(max_length=200)
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=len(WebhookEvent)
    )
    jurisdictions = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False, default=list, max_length=56
    )

    def validate_url(self, value: str) -> str:
        try:
            webhooks.check_address(value)
        except webhooks.AddressRefused as refused:
            raise serializers.ValidationError(str(refused), code="address_refused") from None
        return value

    def validate_jurisdictions(self, value: list[str]) -> list[str]:
        codes = sorted({code.strip().upper() for code in value})
        known = set(Jurisdiction.objects.filter(code__in=codes).values_list("code", flat=True))
        if unknown := [code for code in codes if code not in known]:
            raise serializers.ValidationError(
                _("Unknown jurisdiction %(code)s.") % {"code": unknown[0]}, code="unknown_jurisdiction"
            )
        return codes


class EndpointOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "organisation", "url", "events", "jurisdictions", "is_active", "created_at"]


class RegisteredEndpointOutput(EndpointOutput):
    class Meta(EndpointOutput.Meta):
        fields = [*EndpointOutput.Meta.fields, "secret"]


class DeliveryOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]


class EndpointList(APIView):
    """Your webhook endpoints; POST registers one and answers its signing secret, once."""

    permission_classes = [IsAdvocate]

    @extend_schema(responses={200: EndpointOutput(many=True), **error_responses(403)})
    def get(self, request: Request) -> Response:
        return Response(EndpointOutput(WebhookEndpoint.objects.filter(owner=request.user), many=True).data)

    @extend_schema(request=EndpointInput, responses={201: RegisteredEndpointOutput, **error_responses(400, 403)})
    def post(self, request: Request) -> Response:
        fields = EndpointInput(data=request.data)
        fields.is_valid(raise_exception=True)
        endpoint = WebhookEndpoint.objects.create(
            owner=request.user, secret=webhooks.new_secret(), **fields.validated_data
        )
        return Response(RegisteredEndpointOutput(endpoint).data, status=status.HTTP_201_CREATED)


class EndpointDetail(APIView):
    """Stop sending to one of your endpoints."""

    permission_classes = [IsAdvocate]

    @extend_schema(responses={204: None, **error_responses(403, 404)})
    def delete(self, request: Request, pk: int) -> Response:
        get_object_or_404(WebhookEndpoint, pk=pk, owner=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointDeliveries(APIView):
    """The delivery log of one of your endpoints, newest first (the last 200)."""

    permission_classes = [IsAdvocate]

    @extend_schema(responses={200: DeliveryOutput(many=True), **error_responses(403, 404)})
    def get(self, request: Request, pk: int) -> Any:
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk, owner=request.user)
        return Response(DeliveryOutput(endpoint.deliveries.all()[:200], many=True).data)
