"""Printable hotline signs for venue owners: pick a state and venue type, read what the law asks, get the PDF."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from compliance import documents, scoreboard, signs
from compliance.models import Jurisdiction, Venue, VenueType
from compliance.views.documents import serve


def _venue_type(request: HttpRequest) -> VenueType | None:
    """The ?venue_type= asked for; an unknown slug is a 404, like an unknown state."""
    slug = request.GET.get("venue_type", "")
    return get_object_or_404(VenueType, slug=slug) if slug else None


def _sign_spec(request: HttpRequest, code: str) -> signs.SignSpec:
    jurisdiction = get_object_or_404(Jurisdiction.objects.with_current_law(), code=code.upper())
    paper = request.GET.get("size", "") or None
    if paper is not None and paper not in signs.PAPER_SIZES:
        raise BadRequest(_("Unknown paper size."))
    return signs.sign_spec(jurisdiction.current_law(), _venue_type(request), paper, jurisdiction=jurisdiction)


def _owner_venue(request: HttpRequest) -> Venue | None:
    """The public venue named by ?venue= (the venue page's "print the sign" link), for its owner's "posted" link."""
    try:
        public_id = uuid.UUID(request.GET.get("venue", ""))
    except ValueError:
        return None
    return Venue.objects.public().select_related("venue_type").filter(public_id=public_id).first()


def _picker_context(code: str = "", venue_slug: str = "") -> dict[str, object]:
    return {
        "jurisdictions": Jurisdiction.objects.only("code", "name"),
        "venue_types": VenueType.objects.only("slug", "name", "name_es").in_local_order(),
        "chosen_code": code,
        "chosen_venue_type": venue_slug,
    }


@require_safe
def sign_picker(request: HttpRequest) -> HttpResponse:
    """Pick a state and a venue type; the choice goes on to that state's sign page (works without JavaScript)."""
    code = request.GET.get("jurisdiction", "")
    if not code:
        return render(request, "signs/page.html", _picker_context())
    jurisdiction = get_object_or_404(Jurisdiction, code=code.upper())
    venue_type = _venue_type(request)
    query = f"?{urlencode({'venue_type': venue_type.slug})}" if venue_type else ""
    return redirect(reverse("sign-page", args=[jurisdiction.code]) + query)


@require_safe
def sign_page(request: HttpRequest, code: str) -> HttpResponse:
    """A state's sign for a phone: what the law asks, how the sign follows it, and the PDF in each paper size."""
    spec = _sign_spec(request, code)
    venue_slug = request.GET.get("venue_type", "")
    pdf_url = reverse("sign-pdf", args=[spec.jurisdiction_code])
    venue_query = {"venue_type": venue_slug} if venue_slug else {}
    downloads = [
        (page, f"{pdf_url}?{urlencode({**venue_query, 'size': paper})}")
        for paper, page in signs.paper_choices(spec.size_requirement).items()
    ]
    return render(
        request,
        "signs/page.html",
        {
            **_picker_context(spec.jurisdiction_code, venue_slug),
            "spec": spec,
            "downloads": downloads,
            "owner_venue": _owner_venue(request),
        },
    )


@require_safe
def sign_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The printable sign: /signs/{code}.pdf[?venue_type=slug][&size=letter|legal|tabloid]."""
    spec = _sign_spec(request, code)
    # Drawn once per sign and state of the law data (see report_pdf for why), not once per request. The second
    # page (notes for the business) is in the reader's language; the sign itself is English and Spanish.
    key = documents.sign_key(
        spec.jurisdiction_code, request.GET.get("venue_type", ""), request.GET.get("size", ""), get_language()
    )
    wanted = documents.Wanted(documents.Kind.SIGN_PDF, key, scoreboard.stamp())
    return serve(request, documents.obtain(wanted), content_type="application/pdf")
