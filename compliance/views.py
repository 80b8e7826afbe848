"""HTML pages. Thin: they gather rows and hand them to templates in frontend/templates/."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import permission_denied as django_permission_denied
from django.views.defaults import server_error as django_server_error

from compliance import roles, scoreboard, scoring
from compliance.api import errors
from compliance.models import Deficiency, Jurisdiction, Observation, Photo, PostingLaw, SignStatus, Venue, VenueType


def _base_map_config() -> dict[str, str]:
    """What every page's map needs: the offline state outlines, and the operator's tiles if any."""
    return {
        "boundariesUrl": static("geo/states-simplified.geojson"),
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
    }


@require_safe
def map_page(request: HttpRequest) -> HttpResponse:
    """The public map: each jurisdiction coloured by compliance (or law status), venues, and a table of the same."""
    figures = scoreboard.current().data
    status_labels = dict(PostingLaw.Status.choices)
    rows = [
        {
            "code": code,
            "status_label": status_labels.get(entry["law_status"], entry["law_status"]),
            "figures": entry["overall"] or entry["voluntary"],
            **entry,
        }
        for code, entry in sorted(figures["jurisdictions"].items(), key=lambda item: item[1]["name"])
    ]
    map_config = {
        **_base_map_config(),
        "jurisdictions": figures["jurisdictions"],
        "statusLabels": status_labels,
        "venueTypeNames": dict(VenueType.objects.values_list("slug", "name")),
    }
    return render(
        request,
        "compliance/map.html",
        {
            "rows": rows,
            "map_config": map_config,
            "figures": figures,
            "venue_types": VenueType.objects.filter(venues__current_status__gt="").distinct().order_by("name"),
            "sign_statuses": SignStatus.choices,
        },
    )


@require_safe
def jurisdiction_page(request: HttpRequest, code: str) -> HttpResponse:
    """A jurisdiction's posting law in plain language, its compliance and trend, recent evidence, its AG office."""
    jurisdiction = get_object_or_404(Jurisdiction.objects.with_current_law(), code=code.upper())
    figures = scoreboard.current()
    recent = (
        Observation.objects.approved()
        .filter(venue__jurisdiction=jurisdiction)
        .select_related("venue__venue_type")
        .prefetch_related("photos")
        .order_by("-observed_on", "-published_at")[:12]
    )
    return render(
        request,
        "compliance/jurisdiction.html",
        {
            "jurisdiction": jurisdiction,
            "law": jurisdiction.current_law(),
            "ag_office": getattr(jurisdiction, "ag_office", None),
            "compliance": figures.data["jurisdictions"][jurisdiction.code],
            "venue_type_names": dict(VenueType.objects.values_list("slug", "name")),
            "trend": scoreboard.trend(jurisdiction),
            "recent": recent,
            "method": scoring.METHOD,
            "map_config": {**_base_map_config(), "jurisdiction": jurisdiction.code},
        },
    )


@require_safe
def venue_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A public venue and its approved history (no volunteer details, no capture points)."""
    venue = get_object_or_404(Venue.objects.public().select_related("venue_type", "jurisdiction"), pk=pk)
    history = venue.observations.approved().prefetch_related("photos").order_by("-observed_on", "-published_at")
    return render(request, "compliance/venue.html", {"venue": venue, "history": history})


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
            "common_languages": ["English", "Spanish"],
            "submit_config": {**_base_map_config(), "maxPhotos": 3, "maxBytes": settings.SIGNWATCH["PHOTO_MAX_BYTES"]},
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
@ensure_csrf_cookie
@login_required
def moderate_page(request: HttpRequest) -> HttpResponse:
    """The moderators' queue; the work happens in moderate.js against the moderation API."""
    if not roles.is_moderator(request.user):
        raise PermissionDenied
    return render(
        request,
        "compliance/moderate.html",
        {"moderate_config": _base_map_config()},
    )


def _photo_file(request: HttpRequest, public_id: uuid.UUID, thumbnail: bool) -> FileResponse:
    photo = get_object_or_404(Photo.objects.select_related("observation"), public_id=public_id)
    public = photo.observation.review_status == Observation.ReviewStatus.APPROVED
    if not public and not roles.is_moderator(request.user):
        raise Http404  # not 403: the answer must not confirm that an unpublished photo exists
    name = photo.thumbnail.name if thumbnail else photo.image.name
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    # Approved photos may be cached anywhere; a moderator's view of a pending one only by their own browser.
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


@require_safe
def photo(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    """A cleaned photo: public once its observation is approved, otherwise moderators only."""
    return _photo_file(request, public_id, thumbnail=False)


@require_safe
def photo_thumbnail(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    """A photo's thumbnail, under the same rule."""
    return _photo_file(request, public_id, thumbnail=True)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: JSON under /api/, a page elsewhere."""
    if request.path.startswith("/api/"):
        return errors.json_not_found(request)
    return render(request, "404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 raised by Django itself (too many fields or files, a malformed request): JSON under /api/."""
    if request.path.startswith("/api/"):
        return errors.json_error(400, "bad_request", _("The request could not be read."))
    return django_bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: JSON under /api/ (a CSRF failure, say), a page elsewhere."""
    if request.path.startswith("/api/"):
        return errors.json_error(403, "permission_denied", _("You may not do this."))
    return django_permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: JSON under /api/, a plain page elsewhere (rendered without context: the database may be down)."""
    if request.path.startswith("/api/"):
        return errors.json_server_error(request)
    return django_server_error(request)
