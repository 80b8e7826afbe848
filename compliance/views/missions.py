"""The volunteer's "survey near me" page: the sampled venues that need a visit, usable offline once loaded."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from compliance import frame
from compliance.models import SurveyAttempt


@require_safe
@ensure_csrf_cookie
def survey_page(request: HttpRequest) -> HttpResponse:
    """The phone page; survey.js asks /api/missions/nearby/ for the list and keeps the last one on the phone."""
    return render(
        request,
        "compliance/survey.html",
        {
            "reasons": SurveyAttempt.Reason.choices,
            "attribution": frame.ATTRIBUTION,
            "licence_url": frame.LICENCE_URL,
        },
    )
