"""Which answers caches may keep.

Receipts, moderation data and letters are for the client that asked, now: no cache may keep them (NoStore). Public
answers that only the data changes (map viewports, Open311 lists) are kept under the figures' stamp (kept_answer).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from rest_framework.request import Request
from rest_framework.response import Response

from compliance import scoreboard

KEPT_HEADERS = ("Link", "Access-Control-Allow-Origin")


class NoStore:
    """A DRF view mixin: every answer (errors included) carries Cache-Control: no-store, private.

    A receipt or a moderation queue kept by a shared proxy cache, or by the browser's disk cache on a shared phone,
    would show one person's reports to the next.
    """

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        add_never_cache_headers(response)
        return response


def kept_answer(request: HttpRequest, name: str, answer: Callable[[], HttpResponse]) -> HttpResponse:
    """An answer that only the data changes, kept in the cache under the figures' stamp and named by an ETag.

    Any approval, import or law edit changes the stamp, so a kept answer is never stale. A client that has the
    answer gets a 304, and a query many clients repeat (the whole map, a civic tool's poll) costs a cache read.
    `name` says everything the answer depends on besides the data and the language; only 200 answers are kept.
    """
    stamp = f"{name}:{get_language()}:{scoreboard.stamp()}"
    etag = '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        key = f"kept-answer:{etag}"
        kept = cache.get(key)
        if kept is None:
            fresh = answer()
            if fresh.status_code != 200:
                return fresh
            headers = {header: fresh[header] for header in KEPT_HEADERS if fresh.has_header(header)}
            kept = (fresh.content, fresh["Content-Type"], headers)
            cache.set(key, kept, timeout=3600)
        body, content_type, headers = kept
        response = HttpResponse(body, content_type=content_type, headers=headers)
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response
