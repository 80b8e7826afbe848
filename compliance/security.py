"""Brute-force protection for the two sign-in forms (/accounts/login/ and the admin's).

Failed attempts are counted in the shared cache, per username and per client address. Once either count reaches
its limit, the form refuses to check any password, even a right one, until the lock lifts: LOGIN_LOCK_S seconds
after the last failure. A successful sign-in clears its username's count (not the address's: one address may
try many usernames). The form carries the refusal as an error; `answer_refusals_with_429` sets the status.
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
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from rest_framework.throttling import BaseThrottle

REFUSED = "throttled"


def client_address(request: HttpRequest) -> str:
    """The client's address by the API throttles' rule (REMOTE_ADDR unless TRUSTED_PROXY_COUNT trusts proxies)."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]  # reads only request.META


def _username_key(username: str) -> str:
    # Hashed: a key must be short and safe for every cache backend whatever a client types as a username.
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return f"login-failures:user:{digest}"


def _address_key(address: str) -> str:
    return f"login-failures:address:{address}"


def _keys_and_limits(request: HttpRequest, username: str) -> list[tuple[str, int]]:
    limits = [(_address_key(client_address(request)), settings.LOGIN_FAILURES_PER_ADDRESS)]
    if username.strip():
        limits.append((_username_key(username), settings.LOGIN_FAILURES_PER_USERNAME))
    return limits


def is_locked(request: HttpRequest, username: str) -> bool:
    """Whether this username or this client address has used up its failed attempts."""
    return any((cache.get(key) or 0) >= limit for key, limit in _keys_and_limits(request, username))


def record_failure(request: HttpRequest, username: str) -> None:
    """Count one failed attempt against the username and the client address."""
    for key, _limit in _keys_and_limits(request, username):
        # add + incr is atomic on Redis and local memory; touch restarts the lock's clock on every backend.
        if not cache.add(key, 1, settings.LOGIN_LOCK_S):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, settings.LOGIN_LOCK_S)
        cache.touch(key, settings.LOGIN_LOCK_S)


def record_success(username: str) -> None:
    """Clear a username's failed attempts after it signs in."""
    cache.delete(_username_key(username))


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
        if is_locked(request, username):
            self.refused = True
            raise forms.ValidationError(refusal_message(), code=REFUSED)
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            record_failure(request, username)
            raise
        record_success(username)
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
