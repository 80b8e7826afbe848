"""The method page: how compliance is computed, how reports are checked, and the measured accuracy of both."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from compliance import disputes, moderation, scoring, trust
from compliance.models import Venue


@require_safe
def method_page(request: HttpRequest) -> HttpResponse:
    """The method in words, with the audit figures and the moderators' agreement as they stand today."""
    rule = moderation.trust_rule()
    trust_method = trust.METHOD % {
        "approvals": rule.approvals_needed,
        "clean": rule.clean_last,
        "percent": f"{rule.audit_share * 100:g}",
    }
    return render(
        request,
        "compliance/method.html",
        {
            "compliance_method": scoring.METHOD,
            "trust_method": trust_method,
            "audit": moderation.measured_accuracy(),
            "dispute_method": disputes.METHOD,
            "disputed_venues": Venue.objects.public().filter(disputed=True).count(),
            "agreement": moderation.moderators_agreement(),
        },
    )
