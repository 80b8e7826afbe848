"""Public answers kept whole: map viewports, Open311, a venue's API answer, and the public pages for visitors.

An answer is kept under what can change it: the figures' stamp (scoreboard.stamp: every approval, law edit, sample,
survey attempt, import and new day changes it) and the generation of public edits below (a campaign's supporters,
an AG office's record, a venue type or a public venue edited in the admin: edits that move no figure). Any such change
names new keys, and old keys age out of the cache. The key's ETag lets a client that has the answer get a 304. The
first request after a change builds the answer again; requests that come while it does get the answer before the
change (under its own ETag) instead of building it too, so a change costs one build, not one per worker.

Pages are kept only for visitors who are not signed in (no session cookie): everyone else may see their own links,
forms and letters. A page that set a cookie or drew a CSRF token while being rendered is someone's, not everyone's,
and is never kept.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from compliance import scoreboard
from compliance.models import Jurisdiction, Venue

KEPT_HEADERS = ("Link", "Access-Control-Allow-Origin")
KEPT_SECONDS = 3600
_EDITS_KEY = "kept:edits"


def edits() -> int:
    """The generation of public edits that move no figure (see forget_edits)."""
    return scoreboard.generation(_EDITS_KEY)


def forget_edits(sender: type, **kwargs: object) -> None:
    """Signal receiver: something public answers show changed without changing the figures.

    Counted once the change is committed, so that no answer is rebuilt from the data before it and kept after.
    """
    transaction.on_commit(functools.partial(scoreboard.advance, _EDITS_KEY))


# What a moderation or a merge writes on a venue: those name its jurisdiction to scoreboard.invalidate themselves.
_MOVED_WITH_THE_DATA = frozenset({"current_status", "status_observed_on", "latest_photo", "disputed", "merged_into"})


def forget_venue_edit(
    sender: type, instance: Venue, update_fields: frozenset[str] | None = None, **kwargs: object
) -> None:
    """Signal receiver: a public venue was edited (in the admin, say). A venue nobody may see yet, made by a new
    report, changes nothing kept; nor does a status a moderation moved, which renames only its own state's answers
    (counting it as an edit would make every answer everywhere be built again after each approval)."""
    if update_fields is not None and set(update_fields) <= _MOVED_WITH_THE_DATA:
        return
    if instance.current_status:
        forget_edits(sender)


def answer(
    request: HttpRequest,
    name: str,
    build: Callable[[], HttpResponse],
    *,
    jurisdiction: int | None = None,
    also: tuple[scoreboard.Part, ...] = (),
) -> HttpResponse:
    """build()'s answer, built once per state of the data and language, then kept and named by an ETag.

    `name` says everything the answer depends on besides the data and the language. An answer drawn from one
    jurisdiction's data (a venue, a state's page) names it (`jurisdiction`, its key), with any other part of the
    data it shows (`also`: scoreboard.ROUTED_BY_TRUST), and is then kept until one of them changes
    (scoreboard.stamp_of), not rebuilt after a moderation elsewhere. Only 200 answers with no cookie and no CSRF
    token, drawn from today's figures (not the last ones while new ones are built), are kept; anything else is
    returned as built.
    """
    named = f"{name}:{get_language()}"
    state = scoreboard.stamp() if jurisdiction is None else scoreboard.stamp_of(jurisdiction, *also)
    etag = _etag(f"{named}:{state}:{edits()}")
    if request.META.get("HTTP_IF_NONE_MATCH") == etag:  # not request.headers: that copies every header
        return _cacheable(HttpResponseNotModified(), etag)
    key = f"kept-answer:{etag}"
    kept = scoreboard.recall(key)
    if kept is not scoreboard.MISSING:
        return _served(kept, etag)
    latest_key = f"kept-latest:{_etag(named)}"
    building = f"{key}:building"
    if not cache.add(building, True, timeout=scoreboard.BUILD_LOCK_SECONDS):
        # Another process is building this answer (the data just changed): the one before meanwhile, under its own
        # ETag, rather than every worker building the same page at once.
        latest = cache.get(latest_key)
        if latest is not None:
            return _served(latest[1], latest[0])
    try:
        with scoreboard.noticing_last_good() as watch:
            fresh = build()
        # Someone's own answer, or one drawn from the figures before the change: served, not kept.
        personal = fresh.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        if fresh.status_code != 200 or personal or watch.saw_last_good:
            return fresh
        headers = {header: fresh[header] for header in KEPT_HEADERS if fresh.has_header(header)}
        kept = (fresh.content, fresh["Content-Type"], headers)
        scoreboard.keep(key, kept, timeout=KEPT_SECONDS)
        cache.set(latest_key, (etag, kept), timeout=KEPT_SECONDS)
    finally:
        cache.delete(building)
    return _served(kept, etag)


def _etag(text: str) -> str:
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def _served(kept: tuple[bytes, str, dict[str, str]], etag: str) -> HttpResponse:
    body, content_type, headers = kept
    return _cacheable(HttpResponse(body, content_type=content_type, headers=headers), etag)


def _cacheable(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


def signed_out(request: HttpRequest) -> bool:
    """Whether the request is from a visitor with no session and no pending message (checked without a query)."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def page(
    jurisdiction_of: Callable[..., int | None] | None = None, *, also: tuple[scoreboard.Part, ...] = ()
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A public page view whose answer is kept for signed-out visitors (see the module's docstring).

    The page is named by its whole address, host and query included. Its answer varies by cookie (a signed-in
    person's page differs) and by language. `jurisdiction_of(**view kwargs)` names the jurisdiction a page is drawn
    from, with `also` the other parts of the data it shows (see answer); None from it (nothing found) keeps the page
    under the figures' stamp.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not signed_out(request):
                return view(request, *args, **kwargs)
            response = answer(
                request,
                f"page:{request.build_absolute_uri()}",
                lambda: view(request, *args, **kwargs),
                jurisdiction=jurisdiction_of(**kwargs) if jurisdiction_of else None,
                also=also,
            )
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
            return response

        return wrapper

    return decorator


def jurisdiction_of_venue(public_id: uuid.UUID, **kwargs: Any) -> int | None:
    """The jurisdiction a venue page or answer is drawn from (one indexed lookup), or None for no such venue."""
    return Venue.objects.filter(public_id=public_id).values_list("jurisdiction_id", flat=True).first()


def jurisdiction_of_code(code: str, **kwargs: Any) -> int | None:
    """The jurisdiction a state's page is drawn from (one indexed lookup), or None for no such code."""
    return Jurisdiction.objects.filter(code=code.upper()).values_list("pk", flat=True).first()
