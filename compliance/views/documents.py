"""Answering with a drawn document (compliance/documents.py): the copy, the last good one, or "being prepared"."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from compliance import documents
from compliance.api.errors import error_body


def serve(
    request: HttpRequest,
    copy: documents.Copy | None,
    *,
    content_type: str,
    disposition: str = "inline",
    filename: str | None = None,
    private: bool = False,
) -> HttpResponse:
    """The document, saying how old it is when it is the last good copy; 202 with Retry-After before any exists."""
    if copy is None:
        return _pending(request, private=private)
    response = HttpResponse(copy.content, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{filename or copy.filename}"'
    response["X-Document-Stamp"] = copy.label
    if private:
        # Private to its readers: no shared cache may keep it.
        response["Cache-Control"] = "private, no-store"
    if not copy.current:
        # An older state of the data while the current one is drawn: say so, and let no cache keep it.
        response["Age"] = str(copy.age_seconds())
        response["X-Document-Status"] = "outdated; a newer copy is being prepared"
        if not private:
            response["Cache-Control"] = "no-cache"
    return response


def _pending(request: HttpRequest, *, private: bool) -> HttpResponse:
    retry_after = documents.RETRY_SECONDS
    detail = _("The document is being prepared. Ask again in a few seconds.")
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        response: HttpResponse = JsonResponse(
            {**error_body("document_pending", detail), "retry_after": retry_after}, status=202
        )
    else:
        response = render(request, "documents/pending.html", {"retry_after": retry_after}, status=202)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store" if not private else "private, no-store"
    return response
