"""Which answers caches may keep.

Receipts, moderation data and letters are for the client that asked, now: no cache may keep them (NoStore). Public
answers that only the data changes (map viewports, Open311, a venue) are kept whole by compliance.kept.
"""

from __future__ import annotations

from typing import Any

from django.utils.cache import add_never_cache_headers
from rest_framework.request import Request
from rest_framework.response import Response


class NoStore:
    """A DRF view mixin: every answer (errors included) carries Cache-Control: no-store, private.

    A receipt or a moderation queue kept by a shared proxy cache, or by the browser's disk cache on a shared phone,
    would show one person's reports to the next.
    """

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        add_never_cache_headers(response)
        return response
