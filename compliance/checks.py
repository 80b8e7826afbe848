"""Deployment checks (`manage.py check --deploy`) for the settings the abuse limits depend on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.security, deploy=True)
def limits_cache_is_shared(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Sign-in lockouts and throttles counted per process do not hold under several workers."""
    if settings.DEBUG or settings.CACHES["limits"]["BACKEND"] not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            "Sign-in lockouts and API throttles are counted in a per-process cache: with several workers, each "
            "counts on its own, so '5 failures per username' allows 5 per worker.",
            hint="Unset LIMITS_CACHE_URL (the database cache is the default), or point it at db://, redis:// or "
            "memcached://.",
            id="signwatch.W001",
        )
    ]


@register(Tags.security, deploy=True)
def proxy_settings_agree(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Behind a proxy, the client's address is only known when the proxies are counted."""
    if settings.DEBUG or not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return []
    if settings.REST_FRAMEWORK.get("NUM_PROXIES"):
        return []
    return [
        Warning(
            "TRUST_PROXY_HEADERS is on but TRUSTED_PROXY_COUNT is 0: every client seems to come from the proxy's "
            "address, so one client's failed sign-ins or uploads lock out or throttle everybody.",
            hint="Set TRUSTED_PROXY_COUNT to the number of proxies that append to X-Forwarded-For "
            "(README: Deployment).",
            id="signwatch.W002",
        )
    ]


@register(deploy=True)
def workers_share_the_stamp(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Task workers and web processes must agree on the figures' stamp, which lives in the default cache."""
    if settings.DEBUG or settings.TASKS_BACKEND != "database":
        return []
    if settings.CACHES["default"]["BACKEND"] not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            "TASKS_BACKEND=database with a per-process CACHE_URL: each process names the state of the data "
            "differently, so PDFs drawn by db_worker are not found by the web processes and are drawn again.",
            hint="Point CACHE_URL at db://signwatch_cache (after createcachetable), redis:// or memcached://.",
            id="signwatch.W003",
        )
    ]
