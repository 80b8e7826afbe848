"""The moderators' page; the queue and decisions themselves go through the moderation API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from compliance import roles
from compliance.models import Deficiency
from compliance.views.public import base_map_config


@require_safe
@ensure_csrf_cookie
@login_required
def moderate_page(request: HttpRequest) -> HttpResponse:
    """The moderators' queue; the work happens in moderate.js against the moderation API."""
    if not roles.is_moderator(request.user):
        raise PermissionDenied
    return render(
        request,
        "compliance/moderate.html",
        {"moderate_config": base_map_config(), "deficiencies": Deficiency.choices},
    )
