"""The moderators' API at scale: a filtered queue, bulk decisions, second opinions and settling disputes."""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth.models import User
from django.db import models
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance import moderation, observations, roles
from compliance.api.caching import NoStore
from compliance.api.errors import APIError, error_responses, from_domain
from compliance.api.permissions import IsModerator
from compliance.api.serializers import ModerationItemOutput, ModerationResultOutput, SlugField
from compliance.models import Observation, Review, SecondOpinion, Venue, VenueType

BULK_LIMIT = 200
# Codes of moderation.ModerationRefused, and the status each is answered with.
REFUSAL_STATUS = {"already_reviewed": 409, "already_sent": 409, "not_disputed": 409, "permission_denied": 403}


def _refused(refused: moderation.ModerationRefused) -> APIError:
    return APIError(
        status_code=REFUSAL_STATUS.get(refused.code, 400), code=refused.code, detail=refused.detail, field=refused.field
    )


# --- the queue ---


class QueueFilterInput(serializers.Serializer):
    jurisdiction = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, help_text=gettext_lazy("USPS code"))
    venue_type = SlugField(slug_field="slug", queryset=VenueType.objects.all(), required=False)
    flag = serializers.ChoiceField(choices=moderation.QUEUE_FLAG_FILTERS, required=False)
    reporter = serializers.ChoiceField(choices=moderation.QUEUE_REPORTER_FILTERS, required=False)
    older_than_days = serializers.IntegerField(
        min_value=0, max_value=3650, required=False, help_text=gettext_lazy("Received at least this many days ago")
    )
    limit = serializers.IntegerField(min_value=1, max_value=BULK_LIMIT, default=50)


class SecondOpinionAskedOutput(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.get_username")

    class Meta:
        model = SecondOpinion
        # Not the sender's own call: the second decision must be independent for the agreement figure to mean much.
        fields = ["requested_by", "note", "created_at"]


class QueueItemOutput(ModerationItemOutput):
    second_opinion = serializers.SerializerMethodField()

    class Meta(ModerationItemOutput.Meta):
        fields = [*ModerationItemOutput.Meta.fields, "second_opinion"]

    @extend_schema_field(SecondOpinionAskedOutput(allow_null=True))
    def get_second_opinion(self, observation: Observation) -> dict | None:
        asked = getattr(observation, "asked_of_me", None)
        return SecondOpinionAskedOutput(asked[0]).data if asked else None


@extend_schema(parameters=[QueueFilterInput], responses={200: QueueItemOutput(many=True), **error_responses(400, 403)})
class ModerationQueue(NoStore, generics.ListAPIView):
    """Pending observations, oldest first; those sent to you for a second opinion come first, those sent to
    another moderator are theirs. Filters: jurisdiction, venue type, flag (none, any or one), reporter (volunteer or
    owner: an owner's report is marked `reported_by_owner` and counts in no figure once approved) and age."""

    serializer_class = QueueItemOutput
    permission_classes = [IsModerator]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Observation.objects.none()
        query = QueueFilterInput(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        user = self.request.user
        queue = Observation.objects.moderation_queue().exclude(
            models.Exists(
                SecondOpinion.objects.open().filter(observation=models.OuterRef("pk")).exclude(assigned_to=user)
            )
        )
        if code := wanted.get("jurisdiction"):
            queue = queue.filter(venue__jurisdiction__code=code.upper())
        if venue_type := wanted.get("venue_type"):
            queue = queue.filter(venue__venue_type=venue_type)
        if reporter := wanted.get("reporter"):
            queue = queue.filter(reported_by_owner=reporter == "owner")
        if (days := wanted.get("older_than_days")) is not None:
            queue = queue.filter(created_at__lte=timezone.now() - datetime.timedelta(days=days))
        flag = wanted.get("flag")
        if flag == "none":
            queue = queue.filter(flags=[])
        elif flag == "any":
            queue = queue.exclude(flags=[])
        mine = models.Exists(SecondOpinion.objects.open().filter(observation=models.OuterRef("pk"), assigned_to=user))
        queue = (
            queue.annotate(asked_of_me_first=mine)
            .order_by("-asked_of_me_first", "created_at", "pk")
            .prefetch_related(self._asked_of_me(user))
        )
        if flag in Observation.Flag.values:
            # One flag inside a short JSON list: matched here, the same on SQLite and PostgreSQL, over a bounded read.
            return [item for item in queue[: BULK_LIMIT * 10] if flag in item.flags][: wanted["limit"]]
        return queue[: wanted["limit"]]

    @staticmethod
    def _asked_of_me(user: User) -> models.Prefetch:
        return models.Prefetch(
            "second_opinions",
            queryset=SecondOpinion.objects.open().filter(assigned_to=user).select_related("requested_by"),
            to_attr="asked_of_me",
        )


# --- bulk decisions ---


class BulkDecisionInput(serializers.Serializer):
    ids = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=BULK_LIMIT)
    action = serializers.ChoiceField(choices=Review.Action.choices)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class BulkDecisionOutput(serializers.Serializer):
    decided = ModerationResultOutput(many=True)


class ModerateMany(NoStore, APIView):
    """Approve or reject unflagged pending observations together, with one reason. All or nothing: if another
    moderator decided any of them first, nothing changes and the answer is 409 `already_reviewed`."""

    permission_classes = [IsModerator]

    @extend_schema(
        request=BulkDecisionInput, responses={200: BulkDecisionOutput, **error_responses(400, 403, 409, 415)}
    )
    def post(self, request: Request) -> Response:
        decision = BulkDecisionInput(data=request.data)
        decision.is_valid(raise_exception=True)
        try:
            decided = observations.moderate_many(
                public_ids=[str(public_id) for public_id in decision.validated_data["ids"]],
                moderator=request.user,
                action=decision.validated_data["action"],
                reason=decision.validated_data["reason"],
            )
        except moderation.ModerationRefused as refused:
            raise _refused(refused) from None
        except observations.ModerationRefused as refused:  # own report, reason required, decided meanwhile
            raise from_domain(refused) from None
        venues = Venue.objects.in_bulk({observation.venue_id for observation in decided})
        for observation in decided:
            observation.venue = venues[observation.venue_id]
        return Response(BulkDecisionOutput({"decided": decided}).data)


# --- second opinions ---


class SecondOpinionInput(serializers.Serializer):
    moderator = serializers.CharField(max_length=150, help_text=gettext_lazy("The other moderator's username"))
    action = serializers.ChoiceField(
        choices=Review.Action.choices, help_text=gettext_lazy("Your own call, kept from them")
    )
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class SecondOpinionOutput(serializers.Serializer):
    observation = serializers.UUIDField(source="observation.public_id")
    assigned_to = serializers.CharField(source="assigned_to.get_username")
    created_at = serializers.DateTimeField()


class AskSecondOpinion(NoStore, APIView):
    """Send a pending item, undecided, to another moderator; their decision applies. Your call is recorded for the
    agreement figure (Cohen's kappa) but not shown to them."""

    permission_classes = [IsModerator]

    @extend_schema(
        request=SecondOpinionInput, responses={201: SecondOpinionOutput, **error_responses(400, 403, 404, 409, 415)}
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        asked = SecondOpinionInput(data=request.data)
        asked.is_valid(raise_exception=True)
        observation = get_object_or_404(Observation, public_id=public_id)
        colleague = User.objects.filter(username=asked.validated_data["moderator"]).first()
        if colleague is None or not roles.is_moderator(colleague):
            raise APIError(
                status_code=400, code="invalid", detail=_("No moderator has this username."), field="moderator"
            )
        try:
            opinion = moderation.ask_second_opinion(
                observation=observation,
                requested_by=request.user,
                assigned_to=colleague,
                action=asked.validated_data["action"],
                note=asked.validated_data["note"],
            )
        except moderation.ModerationRefused as refused:
            raise _refused(refused) from None
        return Response(SecondOpinionOutput(opinion).data, status=201)


# --- disputes ---


class SettleDisputeInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text=gettext_lazy("Why the latest report stands"))


class SettleDisputeOutput(serializers.Serializer):
    venue_id = serializers.UUIDField(source="venue.public_id")
    disputed = serializers.BooleanField(source="venue.disputed")
    current_status = serializers.CharField(source="venue.current_status")


class SettleDispute(NoStore, APIView):
    """Rule that a disputed venue's latest approved report stands: the venue counts in the figures again."""

    permission_classes = [IsModerator]

    @extend_schema(
        request=SettleDisputeInput, responses={200: SettleDisputeOutput, **error_responses(400, 403, 404, 409, 415)}
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        ruling = SettleDisputeInput(data=request.data)
        ruling.is_valid(raise_exception=True)
        venue = get_object_or_404(Venue, public_id=public_id)
        try:
            settlement = moderation.settle_dispute(
                venue=venue, moderator=request.user, reason=ruling.validated_data["reason"]
            )
        except moderation.ModerationRefused as refused:
            raise _refused(refused) from None
        return Response(SettleDisputeOutput(settlement).data)
