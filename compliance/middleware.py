"""Answers for when the database cannot be reached: a 503 that says so, instead of a 500 that looks like a bug."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from compliance.api.errors import error_body

logger = logging.getLogger(__name__)

# Seconds a client (or the offline submit queue) should wait before trying again.
RETRY_AFTER_S = 30


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection raised by a view into 503 (JSON under /api/), with Retry-After.

    A middleware can meet the database too (the session saved after the view, say); Django hands what those raise
    to the 500 handler, which gives the same answer (compliance.views.errors.server_error).

    Nothing is kept between requests: Django drops a connection that raised, so the first request after the
    database returns is answered normally, without restarting the server.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        return database_unavailable(request, exception)


# What Django raises when the connection cannot be made or is lost; a bad query raises other errors.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """The 503 answer: JSON under /api/, a bare page elsewhere (no template: it must not need the database)."""
    logger.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
    detail = _("The database is unavailable right now. Please try again in a minute.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error_body("database_unavailable", detail), status=503)
    else:
        title = _("Temporarily unavailable")
        response = HttpResponse(
            f'<!doctype html>\n<html><head><meta charset="utf-8"><title>{escape(title)} · SignWatch</title>'
            f"</head>\n<body><h1>{escape(title)}</h1><p>{escape(detail)}</p></body></html>\n",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_S)
    response["Cache-Control"] = "no-store"
    return response


class RejectNulBytesMiddleware:
    """Answer 400 to a path or query string carrying a NUL byte, before any view can pass it to the database.

    PostgreSQL refuses NUL in text, so such a value would be a server error there rather than a plain miss; form
    and serializer fields already refuse NUL in bodies, and this covers the address itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            detail = _("The address contains a NUL byte.")
            if request.path.startswith("/api/"):
                return JsonResponse(error_body("bad_request", detail), status=400)
            return HttpResponse(escape(detail), status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
