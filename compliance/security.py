"""Brute-force protection for the two sign-in forms (/accounts/login/ and the admin's), and the API throttles.

Attempts are counted in the "limits" cache, which every worker process shares (the database by default: see
settings.CACHES), per username and per client address. Each count is a row of numbered slots: an attempt takes a
free slot of each count *before* its password is checked, with the cache's atomic add, so that simultaneous
attempts on several workers cannot all pass the check together. Once a count has no free slot, the form refuses
to check any password, even a right one, until the lock lifts: LOGIN_LOCK_S seconds after the last failure.
A successful sign-in clears its username's count and gives back its address slot (one address may try many
usernames). The form carries the refusal as an error; `answer_refusals_with_429` sets the status.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import BaseCache, caches
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

REFUSED = "throttled"


def client_address(request: HttpRequest) -> str:
    """The client's address by the API throttles' rule (REMOTE_ADDR unless TRUSTED_PROXY_COUNT trusts proxies)."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]  # reads only request.META


def limits_cache() -> BaseCache:
    """The cache every worker shares for lockouts and throttles."""
    return caches["limits"]


def _username_key(username: str) -> str:
    # Hashed: a key must be short and safe for every cache backend whatever a client types as a username.
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return f"login-failures:user:{digest}"


def _address_key(address: str) -> str:
    return f"login-failures:address:{address}"


def _counts(request: HttpRequest, username: str) -> list[tuple[str, int]]:
    counts = [(_address_key(client_address(request)), settings.LOGIN_FAILURES_PER_ADDRESS)]
    if username.strip():
        counts.append((_username_key(username), settings.LOGIN_FAILURES_PER_USERNAME))
    return counts


def _slots(key: str, limit: int) -> list[str]:
    return [f"{key}:{slot}" for slot in range(limit)]


def take_attempt(request: HttpRequest, username: str) -> list[str] | None:
    """Take one slot of each count (address, username) for an attempt about to be checked; None when one is full."""
    cache = limits_cache()
    taken: list[str] = []
    for key, limit in _counts(request, username):
        # add is atomic on every backend (a primary key insert on the database cache), so two workers can never
        # take the same slot.
        slot = next((slot for slot in _slots(key, limit) if cache.add(slot, 1, settings.LOGIN_LOCK_S)), None)
        if slot is None:
            cache.delete_many(taken)
            return None
        taken.append(slot)
    return taken


def record_failure(request: HttpRequest, username: str) -> None:
    """Keep the slots of a failed attempt, and restart the lock's clock of each count it used."""
    cache = limits_cache()
    for key, limit in _counts(request, username):
        for slot in _slots(key, limit):
            cache.touch(slot, settings.LOGIN_LOCK_S)


def record_success(username: str, taken: list[str]) -> None:
    """Clear a username's count after it signs in, and give back the attempt's address slot."""
    cache = limits_cache()
    cache.delete_many([*_slots(_username_key(username), settings.LOGIN_FAILURES_PER_USERNAME), *taken])


class SharedScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, counted in the limits cache that every worker shares."""

    @property  # type: ignore[override]
    def cache(self) -> BaseCache:
        return limits_cache()


def refusal_message() -> str:
    """What a locked-out person reads."""
    minutes = max(1, round(settings.LOGIN_LOCK_S / 60))
    return ngettext(
        "Too many failed sign-in attempts. Wait %(minutes)d minute, then try again.",
        "Too many failed sign-in attempts. Wait %(minutes)d minutes, then try again.",
        minutes,
    ) % {"minutes": minutes}


class ThrottledLoginMixin:
    """Checks the lock before authenticating, and counts the outcome."""

    # True once the lock refused this form, so a template can show why instead of "wrong password".
    refused = False
    request: HttpRequest | None
    cleaned_data: dict[str, Any]
    data: Any

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username", ""))
        request = self.request
        if request is None:  # not built by a login view: nothing to count against
            return super().clean()  # type: ignore[misc]
        taken = take_attempt(request, username)
        if taken is None:
            self.refused = True
            raise forms.ValidationError(refusal_message(), code=REFUSED)
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            record_failure(request, username)
            raise
        record_success(username, taken)
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    """The site's sign-in form, throttled."""


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's sign-in form, throttled."""


def answer_refusals_with_429(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a login view so that a form refused by the lock is answered 429 Too Many Requests, not 200."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if isinstance(form, forms.BaseForm) and form.has_error(forms.forms.NON_FIELD_ERRORS, REFUSED):
            response.status_code = 429
            response["Retry-After"] = str(settings.LOGIN_LOCK_S)
        return response

    return wrapped
