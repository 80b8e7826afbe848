"""HTML pages. Thin: they gather rows and hand them to templates in frontend/templates/."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as django_server_error

from compliance.api import errors
from compliance.models import Jurisdiction, PostingLaw


@require_safe
def map_page(request: HttpRequest) -> HttpResponse:
    """The public map: each jurisdiction coloured by the status of its posting law, with a table of the same."""
    jurisdictions = list(Jurisdiction.objects.with_current_law().order_by("name"))
    rows = []
    for jurisdiction in jurisdictions:
        law = jurisdiction.current_law()
        rows.append(
            {
                "code": jurisdiction.code,
                "name": jurisdiction.name,
                "status": law.status if law else PostingLaw.Status.UNKNOWN,
                "status_label": law.get_status_display() if law else PostingLaw.Status.UNKNOWN.label,
                "verified": bool(law and law.is_verified),
                "citation": law.short_citation if law else "",
            }
        )
    map_config = {
        "boundariesUrl": static("geo/states-simplified.geojson"),
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "jurisdictions": {row["code"]: row for row in rows},
    }
    return render(
        request,
        "compliance/map.html",
        {"rows": rows, "map_config": map_config, "statuses": PostingLaw.Status.choices},
    )


@require_safe
def jurisdiction_page(request: HttpRequest, code: str) -> HttpResponse:
    """A jurisdiction's posting law in plain language, with its sources and AG office."""
    jurisdiction = get_object_or_404(Jurisdiction.objects.with_current_law(), code=code.upper())
    return render(
        request,
        "compliance/jurisdiction.html",
        {
            "jurisdiction": jurisdiction,
            "law": jurisdiction.current_law(),
            "ag_office": getattr(jurisdiction, "ag_office", None),
        },
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: JSON under /api/, a page elsewhere."""
    if request.path.startswith("/api/"):
        return errors.json_not_found(request)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: JSON under /api/, a plain page elsewhere (rendered without context: the database may be down)."""
    if request.path.startswith("/api/"):
        return errors.json_server_error(request)
    return django_server_error(request)
