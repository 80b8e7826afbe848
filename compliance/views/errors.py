"""Error handlers: JSON under /api/, pages elsewhere."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import permission_denied as django_permission_denied
from django.views.defaults import server_error as django_server_error

from compliance import middleware
from compliance.api import errors


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
    """500: JSON under /api/, a plain page elsewhere (rendered without context: the database may be down).

    Django calls this while handling the exception, so a lost database met outside a view (a middleware saving the
    session after the view, say) still gets the 503 that says so, not a 500 that looks like a bug.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, middleware.DATABASE_UNAVAILABLE):
        return middleware.database_unavailable(request, exception)
    if request.path.startswith("/api/"):
        return errors.json_server_error(request)
    return django_server_error(request)
