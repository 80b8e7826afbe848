"""The venue owner's page: report the sign posted now, with a photo, no account needed."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.request import Request

from compliance import observations, owners
from compliance.api.owners import OwnerReportCreate
from compliance.forms import OwnerReportForm
from compliance.models import Venue
from compliance.security import SharedScopedRateThrottle

TEMPLATE = "compliance/owner_report.html"


def _throttled(request: HttpRequest) -> bool:
    """The API's throttle for reports (per client address, shared with the volunteers' intake), on the page too."""
    return not SharedScopedRateThrottle().allow_request(Request(request), OwnerReportCreate())


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def owner_report_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """/v/{id}/owner/: the owner of a public venue says its sign is posted; a moderator and a volunteer check."""
    venue = get_object_or_404(Venue.objects.public().select_related("venue_type", "jurisdiction"), public_id=public_id)
    context: dict[str, object] = {"venue": venue, "claim_open": owners.has_open_claim(venue)}
    if request.method != "POST":
        return render(request, TEMPLATE, {**context, "form": OwnerReportForm()})
    if _throttled(request):
        return render(request, TEMPLATE, {**context, "form": OwnerReportForm(), "throttled": True}, status=429)
    if context["claim_open"]:  # refused before the photo is decoded
        return render(request, TEMPLATE, context, status=409)
    form = OwnerReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, TEMPLATE, {**context, "form": form}, status=400)
    try:
        observation = owners.report_posted(
            venue=venue,
            cleaned=[form.cleaned_data["photo"]],
            posted_on=form.cleaned_data["posted_on"],
            email=form.cleaned_data["email"],
            language=translation.get_language() or "en",
        )
    except observations.OwnerClaimOpen:  # another claim was recorded meanwhile
        return render(request, TEMPLATE, {**context, "claim_open": True}, status=409)
    except observations.SubmissionRefused as refused:
        form.add_error(None, refused.detail)
        status = 503 if isinstance(refused, observations.StorageUnavailable) else 400
        return render(request, TEMPLATE, {**context, "form": form}, status=status)
    return render(request, TEMPLATE, {**context, "received": observation}, status=201)
