"""The moderators' page; the queue and decisions themselves go through the moderation API."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST, require_safe

from compliance import moderation, roles
from compliance.forms import SettleDisputeForm
from compliance.models import Deficiency, Jurisdiction, Venue, VenueType
from compliance.views.public import base_map_config


@require_safe
@never_cache
@ensure_csrf_cookie
@login_required
def moderate_page(request: HttpRequest) -> HttpResponse:
    """The moderators' queue; the work happens in moderate.js against the moderation API."""
    if not roles.is_moderator(request.user):
        raise PermissionDenied
    return render(
        request,
        "compliance/moderate.html",
        {
            "moderate_config": base_map_config(),
            "deficiencies": Deficiency.choices,
            "jurisdictions": Jurisdiction.objects.order_by("code"),
            "venue_types": VenueType.objects.all().in_local_order(),
            "flag_choices": moderation.QUEUE_FLAG_FILTERS,
            "reporter_choices": moderation.QUEUE_REPORTER_FILTERS,
            "disputed_venues": Venue.objects.public()
            .filter(disputed=True)
            .select_related("venue_type", "jurisdiction")
            .order_by("-status_observed_on", "pk")[:50],
        },
    )


@require_POST
@login_required
def settle_dispute(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A moderator rules from the venue page that its latest report stands; back to the page either way."""
    if not roles.is_moderator(request.user):
        raise PermissionDenied
    venue = get_object_or_404(Venue.objects.public(), public_id=public_id)
    form = SettleDisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the latest report stands."))
        return redirect("venue", public_id=venue.public_id)
    try:
        moderation.settle_dispute(venue=venue, moderator=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
    except moderation.ModerationRefused as refused:
        messages.error(request, refused.detail)
    else:
        messages.success(request, _("Settled: the venue counts again, by its latest report."))
    return redirect("venue", public_id=venue.public_id)
