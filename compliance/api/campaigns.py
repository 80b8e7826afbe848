"""The campaigns API: advocates open a campaign on a jurisdiction's AG office; anyone supports it by email.

`POST /api/campaigns/{code}/supporters/` answers 202 whatever became of the sign-up (new, repeated, already
confirmed, or caught by the honeypot), so the answer never tells who supports a campaign. It is throttled per client
address and per email domain, in the cache every process shares. The supporter list answers 404 to anyone but
advocates and the target AG office: the answer must not even confirm who signed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from compliance import campaigns
from compliance.api.errors import APIError, error_responses
from compliance.api.serializers import JurisdictionField
from compliance.models import Campaign

# --- input and output ---


class CampaignInput(serializers.Serializer):
    jurisdiction = JurisdictionField()
    ask = serializers.CharField(max_length=2000, help_text=_("What supporters ask the Attorney General to do."))
    starts_on = serializers.DateField(required=False, help_text=_("Today when left out."))
    ends_on = serializers.DateField()
    milestones = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=10_000_000),
        max_length=20,
        required=False,
        help_text=_("Supporter counts at which the letter goes to the office; 100, 500, 1000, 5000 by default."),
    )


class SupporterInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    email = serializers.EmailField(max_length=254)
    zip_code = serializers.CharField(max_length=10, help_text=_("Five digits (ZIP+4 is cut to five)."))
    personal_line = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text=_("Plain text, shown in no page.")
    )
    consent_to_contact = serializers.BooleanField(required=False, default=False)
    public_name = serializers.BooleanField(
        required=False, default=False, help_text=_("Show my name in the campaign's public list and its letter.")
    )
    # The honeypot: hidden from people by the form, filled in by bots that fill in every field.
    website = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("Leave empty."))

    def validate_name(self, value: str) -> str:
        value = campaigns.supporter_name(value)
        if not value:
            raise serializers.ValidationError(_("Please give your name."), code="blank")
        return value

    def validate_zip_code(self, value: str) -> str:
        zip_code = campaigns.five_digit_zip(value)
        if zip_code is None:
            raise serializers.ValidationError(_("A ZIP code is five digits, e.g. 78701."), code="invalid")
        return zip_code


class CampaignOutput(serializers.Serializer):
    """A campaign's public figures (compliance/campaigns.py public_figures)."""

    jurisdiction = serializers.CharField()
    jurisdiction_name = serializers.CharField()
    target = serializers.CharField()
    ask = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    is_open = serializers.BooleanField()
    supporters = serializers.IntegerField(help_text="Confirmed supporters.")
    milestones = serializers.ListField(child=serializers.IntegerField())
    next_milestone = serializers.IntegerField(allow_null=True)
    public_names = serializers.ListField(child=serializers.CharField())
    letters = serializers.ListField(child=serializers.DictField())


class SupporterOutput(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.SerializerMethodField()
    zip_code = serializers.CharField()
    personal_line = serializers.CharField()
    consent_to_contact = serializers.BooleanField()
    public_name = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField()

    def get_email(self, supporter: Any) -> str | None:
        # An address is shared with the campaign's readers only with its owner's consent to be contacted.
        return str(supporter.email) if supporter.consent_to_contact else None


# --- throttles ---


class EmailDomainThrottle(SimpleRateThrottle):
    """Sign-ups per email domain, whichever addresses send them: one bot with many addresses at one domain."""

    scope = "campaign_signup_domains"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or "@" not in email:
            return None  # the serializer refuses it
        domain = email.rsplit("@", 1)[1].strip().casefold()
        # Hashed: a cache key has a bounded length and safe characters whatever the client sent.
        return self.cache_format % {"scope": self.scope, "ident": hashlib.sha256(domain.encode()).hexdigest()}


# --- views ---


def _campaign(code: str) -> Campaign:
    campaign = Campaign.objects.current_for(code)
    if campaign is None:
        raise NotFound(_("There is no campaign in this jurisdiction."))
    return campaign


def _refusal(refused: campaigns.CampaignRefused) -> APIError:
    status_code = 409 if refused.code == "campaign_exists" else 400
    return APIError(status_code=status_code, code=refused.code, detail=refused.detail, field=refused.field)


class CampaignCreate(APIView):
    """Advocates open a campaign on a jurisdiction's Attorney General office."""

    @extend_schema(request=CampaignInput, responses={201: CampaignOutput, **error_responses(400, 403, 409)})
    def post(self, request: Request) -> Response:
        if not campaigns.may_open(request.user):
            raise APIError(status_code=403, code="permission_denied", detail=_("Only advocates open campaigns."))
        fields = CampaignInput(data=request.data)
        fields.is_valid(raise_exception=True)
        data = fields.validated_data
        try:
            campaign = campaigns.open_campaign(
                jurisdiction=data["jurisdiction"],
                ask=data["ask"],
                opened_by=request.user,
                starts_on=data.get("starts_on"),
                ends_on=data["ends_on"],
                milestones=data.get("milestones"),
            )
        except campaigns.CampaignRefused as refused:
            raise _refusal(refused) from None
        return Response(CampaignOutput(campaigns.public_figures(campaign)).data, status=status.HTTP_201_CREATED)


class CampaignDetail(APIView):
    """A jurisdiction's campaign (the open one, or the latest) with its public figures."""

    @extend_schema(responses={200: CampaignOutput, **error_responses(404)})
    def get(self, request: Request, code: str) -> Response:
        return Response(CampaignOutput(campaigns.public_figures(_campaign(code))).data)


class Supporters(APIView):
    """Sign up to a campaign (anyone), or read its confirmed supporters (advocates and the target AG office)."""

    throttle_scope = "campaign_signups"

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method != "POST":
            return []
        return [ScopedRateThrottle(), EmailDomainThrottle()]

    @extend_schema(responses={200: SupporterOutput(many=True), **error_responses(404)})
    def get(self, request: Request, code: str) -> Response:
        campaign = _campaign(code)
        if not campaigns.may_see_supporters(request.user, campaign):
            raise NotFound(_("There is no campaign in this jurisdiction."))
        supporters = campaign.confirmed_supporters().order_by("confirmed_at", "pk")
        return Response(SupporterOutput(supporters, many=True).data)

    @extend_schema(request=SupporterInput, responses={202: None, **error_responses(400, 404, 409, 429)})
    def post(self, request: Request, code: str) -> Response:
        campaign = _campaign(code)
        fields = SupporterInput(data=request.data)
        fields.is_valid(raise_exception=True)
        data = fields.validated_data
        try:
            campaigns.support(
                campaign,
                name=data["name"],
                email=data["email"],
                zip_code=data["zip_code"],
                personal_line=data["personal_line"],
                consent_to_contact=data["consent_to_contact"],
                public_name=data["public_name"],
                honeypot=data["website"],
            )
        except campaigns.SupportRefused as refused:
            raise APIError(status_code=409, code=refused.code, detail=refused.detail) from None
        # The same answer whatever happened: it must not tell whether this address already supports the campaign.
        return Response(
            {"status": "check_your_email", "detail": str(_("Check your email: your support counts once you confirm."))},
            status=status.HTTP_202_ACCEPTED,
        )
