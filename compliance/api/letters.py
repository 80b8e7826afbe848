"""The letters API: advocates write letters to AG offices and track them; an AG office records its response.

Who sees what: `Letter.objects.visible_to(user)`. A letter outside it answers 404 whatever the method, so an AG office
user of another state (or anyone else) cannot even learn that it exists.
"""

from __future__ import annotations

import uuid
from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.utils import translate_validation
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance import letters, missions, outcomes, outreach, roles
from compliance.api.caching import NoStore
from compliance.api.errors import APIError, error_responses
from compliance.api.serializers import JurisdictionCodeFilter, JurisdictionField, choice_filter_parameters
from compliance.models import Letter, Sample


@extend_schema_field({"type": "string", "description": "enforcement | adoption | recognition | custom"})
class LetterKindField(serializers.ChoiceField):
    """Letter.Kind, documented without an OpenAPI enum: one named "Kind" would collide with Jurisdiction.kind's."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Letter.Kind.writable(), **kwargs)


# --- input ---


class LetterCreateInput(serializers.Serializer):
    jurisdiction = JurisdictionField()
    kind = LetterKindField()
    message = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Custom letters only: your own paragraphs, set in the letter's frame."),
    )


class LetterUpdateInput(serializers.Serializer):
    """Outreach fields (advocates) and the office's answer (its AG office, or staff); nothing else may change.

    With `official_response`, `answered_on` is the answer's date (today when left out) and `answer_attachment` the
    answer as a PDF (send the request as multipart/form-data then). Dates are checked by compliance/outreach.py.
    """

    outreach_status = serializers.ChoiceField(choices=Letter.Outreach.choices, required=False)
    sent_on = serializers.DateField(required=False, allow_null=True)
    answered_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    official_response = serializers.CharField(max_length=20000, required=False)
    answer_attachment = serializers.FileField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The text, figures and recipient are frozen when the letter is written: say so rather than ignore them.
        frozen = sorted(set(self.initial_data) - set(self.fields))
        if frozen:
            raise serializers.ValidationError(
                {frozen[0]: _("This field cannot be changed: a letter's text and figures are frozen when written.")},
                code="read_only",
            )
        if not attrs:
            raise serializers.ValidationError(_("Send at least one field to change."), code="required")
        if "answer_attachment" in attrs and "official_response" not in attrs:
            raise serializers.ValidationError(
                {"official_response": _("Send the answer's text with its PDF.")}, code="required"
            )
        return attrs


# --- output ---


class ResurveyOutput(serializers.Serializer):
    # A plain string, not an OpenAPI enum: one named "Action" would collide with the moderation decision's.
    action = serializers.CharField(
        help_text=_(
            "draw: a re-survey sample of the state's venues should be drawn now; under_way: the current sample was "
            "drawn since the letter went out; cannot_draw: no covered venue type without condition, or no frame."
        ),
    )
    sample_id = serializers.UUIDField(allow_null=True)
    sample_drawn_on = serializers.DateField(allow_null=True)
    sample_url = serializers.URLField(allow_null=True, help_text=_("The current sample's progress (under_way)."))
    draw_url = serializers.URLField(
        allow_null=True, help_text=_("The page that draws it, for those who may (staff); null for anyone else.")
    )


class LetterOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    kind = LetterKindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display")
    outreach_status_label = serializers.CharField(source="get_outreach_status_display")
    figures = serializers.JSONField(help_text=_("The figures and law facts the letter quoted, frozen when written."))
    recipient = serializers.ListField(child=serializers.CharField(), help_text=_("Address lines, frozen."))
    urls = serializers.SerializerMethodField()
    resurvey = serializers.SerializerMethodField(
        help_text=_("Once the letter went out: the suggested re-survey of the state's venues; null before.")
    )

    class Meta:
        model = Letter
        fields = [
            "id",
            "jurisdiction",
            "kind",
            "kind_label",
            "subject",
            "body",
            "recipient",
            "figures",
            "citation_verified",
            "outreach_status",
            "outreach_status_label",
            "sent_on",
            "answered_on",
            "notes",
            "official_response",
            "created_at",
            "urls",
            "resurvey",
        ]

    @extend_schema_field(
        {"type": "object", "properties": {name: {"type": "string"} for name in ("page", "docx", "pdf")}}
    )
    def get_urls(self, letter: Letter) -> dict[str, str]:
        request = self.context["request"]
        return {
            name: request.build_absolute_uri(reverse(view, args=[letter.public_id]))
            for name, view in (("page", "letter"), ("docx", "letter-docx"), ("pdf", "letter-pdf"))
        }

    @extend_schema_field(ResurveyOutput(allow_null=True))
    def get_resurvey(self, letter: Letter) -> dict[str, Any] | None:
        if letter.outreach_status not in outreach.SENT_STATUSES or letter.sent_on is None:
            return None
        current = Sample.objects.current().filter(jurisdiction=letter.jurisdiction).first()
        resurvey = missions.resurvey_after(letter.jurisdiction, letter.sent_on, current=current)
        request = self.context["request"]
        code = letter.jurisdiction.code
        draw = resurvey.action == "draw" and missions.may_draw(request.user)
        return {
            "action": resurvey.action,
            "sample_id": resurvey.sample_id,
            "sample_drawn_on": resurvey.sample_drawn_on,
            "sample_url": request.build_absolute_uri(reverse("api-mission", args=[code]))
            if resurvey.sample_id
            else None,
            "draw_url": request.build_absolute_uri(reverse("draw-sample") + f"?jurisdiction={code}") if draw else None,
        }

    def to_representation(self, letter: Letter) -> dict[str, Any]:
        data = super().to_representation(letter)
        # Notes are the advocates' working notes; the AG office sees the letter, its status and its own response.
        if not outreach.may_track(self.context["request"].user):
            data.pop("notes")
        return data


class RateOutput(serializers.Serializer):
    posted = serializers.IntegerField()
    deficient = serializers.IntegerField()
    missing = serializers.IntegerField()
    n = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    low = serializers.FloatField()
    high = serializers.FloatField()
    sufficient = serializers.BooleanField()


class DifferenceOutput(serializers.Serializer):
    estimate = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)


class BeforeAfterOutput(serializers.Serializer):
    sent_on = serializers.DateField()
    before = RateOutput(help_text=_("Venues observed in the 12 months up to the day the letter was sent."))
    after = RateOutput(help_text=_("Venues observed after that day."))
    difference = DifferenceOutput(help_text=_("after − before, with Newcombe's 95% interval."))


class PublicLetterOutput(serializers.Serializer):
    """What anyone may know of a letter that went out (compliance/outreach.py: public_letters)."""

    id = serializers.CharField(source="public_id")
    jurisdiction = serializers.CharField()
    kind = LetterKindField(read_only=True)
    kind_label = serializers.CharField()
    sent_on = serializers.DateField()
    answered_on = serializers.DateField(allow_null=True)
    answer = serializers.CharField(help_text=_("The office's answer, as it recorded it; empty while none."))
    answer_attachment_url = serializers.CharField(allow_null=True)
    days_without_answer = serializers.IntegerField(allow_null=True)
    before_after = serializers.SerializerMethodField()

    @extend_schema_field(BeforeAfterOutput)
    def get_before_after(self, letter: outreach.PublicLetter) -> dict[str, Any]:
        return outcomes.as_dict(letter.before_after)


# --- views ---


class IsAdvocateToWrite(BasePermission):
    message = _("Only advocates may write letters.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method not in ("POST",) or roles.is_advocate(request.user)


class LetterFilter(django_filters.FilterSet):
    jurisdiction = JurisdictionCodeFilter()

    class Meta:
        model = Letter
        fields = ["jurisdiction", "kind", "outreach_status"]


def _refused(refused: letters.LetterRefused) -> APIError:
    return APIError(status_code=400, code=refused.code, detail=refused.detail, field=refused.field)


@extend_schema_view(
    get=extend_schema(
        description=_(
            "Advocates and AG office accounts get the letters they may read, in full. Anyone else gets the public "
            "record of letters sent (kind, dates, the office's answer, figures before and after)."
        ),
        parameters=choice_filter_parameters(LetterFilter),
        responses={
            200: PolymorphicProxySerializer(
                component_name="LetterOrPublicLetter",
                serializers=[LetterOutput, PublicLetterOutput],
                resource_type_field_name=None,
                many=True,
            ),
            **error_responses(400),
        },
    )
)
class LetterListCreate(NoStore, generics.ListCreateAPIView):
    """The letters you may see, newest first; advocates write a new one (its text and figures are then frozen)."""

    serializer_class = LetterOutput
    permission_classes = [AllowAny, IsAdvocateToWrite]
    filterset_class = LetterFilter
    pagination_class = None

    def get_queryset(self):
        return Letter.objects.visible_to(self.request.user).select_related("jurisdiction")

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if outreach.may_track(request.user) or roles.ag_office_jurisdiction(request.user):
            return super().get(request, *args, **kwargs)
        # The same filters as the full list, over the letters that went out.
        filterset = LetterFilter(request.query_params, queryset=Letter.objects.sent(), request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        public = outreach.public_letters(filterset.qs)
        return Response(PublicLetterOutput(public, many=True).data)

    @extend_schema(request=LetterCreateInput, responses={201: LetterOutput, **error_responses(400, 403, 415)})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        fields = LetterCreateInput(data=request.data)
        fields.is_valid(raise_exception=True)
        jurisdiction = fields.validated_data["jurisdiction"]
        try:
            letter = letters.compose(
                jurisdiction=jurisdiction,
                kind=fields.validated_data["kind"],
                author=request.user,
                report_url=request.build_absolute_uri(letters.report_path(jurisdiction.code)),
                message=fields.validated_data["message"],
            )
        except letters.LetterRefused as refused:
            raise _refused(refused) from None
        return Response(LetterOutput(letter, context={"request": request}).data, status=status.HTTP_201_CREATED)


class LetterDetail(NoStore, APIView):
    """A letter you may see; PATCH tracks its outreach (advocates) or records the official response (its AG office)."""

    def _letter(self, request: Request, public_id: uuid.UUID) -> Letter:
        return get_object_or_404(
            Letter.objects.visible_to(request.user).select_related("jurisdiction"), public_id=public_id
        )

    @extend_schema(responses={200: LetterOutput, **error_responses(404)})
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        return Response(LetterOutput(self._letter(request, public_id), context={"request": request}).data)

    @extend_schema(request=LetterUpdateInput, responses={200: LetterOutput, **error_responses(400, 403, 404, 415)})
    def patch(self, request: Request, public_id: uuid.UUID) -> Response:
        letter = self._letter(request, public_id)
        changes = LetterUpdateInput(data=request.data)
        changes.is_valid(raise_exception=True)
        try:
            letter = outreach.change(letter=letter, by=request.user, changes=changes.validated_data)
        except outreach.NotAllowed as refused:
            raise APIError(
                status_code=403, code="permission_denied", detail=refused.detail, field=refused.field
            ) from None
        except outreach.InvalidChange as refused:
            raise APIError(status_code=400, code=refused.code, detail=refused.detail, field=refused.field) from None
        return Response(LetterOutput(letter, context={"request": request}).data)
