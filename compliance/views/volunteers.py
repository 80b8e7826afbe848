"""The volunteer's pages: the report form (and its service worker), the private receipt, their own reports, and
the unsubscribe link of the emails."""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_http_methods, require_safe

from compliance import notifications
from compliance.models import Deficiency, Observation, SignStatus
from compliance.views.public import base_map_config


@require_safe
@ensure_csrf_cookie
def submit_page(request: HttpRequest) -> HttpResponse:
    """The volunteer's phone-first report form; the work happens in submit.js against the JSON API."""
    return render(
        request,
        "compliance/submit.html",
        {
            "sign_statuses": SignStatus.choices,
            "deficiencies": Deficiency.choices,
            # Stored as the English name, whatever the page's language, so reports count one "Spanish".
            "common_languages": [("English", _("English")), ("Spanish", _("Spanish"))],
            "submit_config": {**base_map_config(), "maxPhotos": 3, "maxBytes": settings.SIGNWATCH["PHOTO_MAX_BYTES"]},
        },
    )


@require_safe
@never_cache
def receipt_page(request: HttpRequest, receipt: str) -> HttpResponse:
    """The submitter's private link: what became of their report."""
    observation = get_object_or_404(
        Observation.objects.select_related("venue__venue_type", "venue__jurisdiction"), receipt=receipt
    )
    return render(request, "compliance/receipt.html", {"observation": observation})


@require_safe
@never_cache
@login_required
def my_reports_page(request: HttpRequest) -> HttpResponse:
    """A logged-in volunteer's own reports and what became of them."""
    reports = (
        Observation.objects.filter(submitter=request.user)
        .select_related("venue__venue_type", "venue__jurisdiction")
        .order_by("-created_at")[:200]
    )
    return render(request, "compliance/my_reports.html", {"reports": reports})


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """frontend/static/js/sw.js, served from the site's root: a worker may only answer for pages at or below the
    address it came from, and it must answer for /submit/ so the form opens with no signal."""
    response = HttpResponse(_service_worker_script(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # browsers look for a new version of the worker on every visit
    return response


@functools.cache
def _service_worker_script() -> bytes:
    """Read once per process: browsers ask for the worker on their visits, and it only changes with a deploy."""
    found = finders.find("js/sw.js")
    assert isinstance(found, str), "frontend/static/js/sw.js is part of the project"
    return Path(found).read_bytes()


@csrf_exempt  # the one-click unsubscribe (RFC 8058) is a POST from the mail client, which has no CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """Stop the emails and delete the address: GET asks (mail scanners open links), POST does it."""
    contact_id = notifications.contact_id_of(token)
    if contact_id is None:
        raise Http404
    done = False
    if request.method == "POST":
        notifications.unsubscribe(contact_id)
        done = True
    response = render(request, "compliance/unsubscribe.html", {"done": done})
    response["Cache-Control"] = "no-store"
    return response
