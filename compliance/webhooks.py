"""Webhooks: signed events for organisations' HTTPS endpoints, sent by a worker, retried with backoff, logged.

A delivery's body is fixed when the event happens and signed at each attempt, as Stripe and GitHub do:

    SignWatch-Event: report.approved
    SignWatch-Delivery: 5b0e…        (the same on every attempt: receivers drop a repeat)
    SignWatch-Signature: t=1764950400,v1=<hex HMAC-SHA256 of "{t}.{body}" under the endpoint's secret>

A receiver recomputes the HMAC over the timestamp and the raw body, compares in constant time, and refuses a
timestamp more than five minutes old (a replay). Payloads carry what the public pages show, never who reported.

`send()` is the one place that talks to the network; only the task in compliance/tasks.py calls it. It refuses
addresses that resolve to a private, loopback or link-local network (a registered "webhook" must not become a way
to reach the server's own network), and it never follows a redirect, for the same reason.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from compliance import laws
from compliance.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 10
SIGNATURE_TOLERANCE_SECONDS = 300
USER_AGENT = "SignWatch-Webhooks/1"


class AddressRefused(ValueError):
    """A webhook address SignWatch will not send to: not HTTPS, or a private network."""


def new_secret() -> str:
    """A signing secret for a newly registered endpoint."""
    return secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "{timestamp}.{body}" under the secret."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The SignWatch-Signature header's value."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = SIGNATURE_TOLERANCE_SECONDS) -> bool:
    """What a receiver does: the signature matches the body, and the timestamp is recent."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, body))


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after the given number of failed attempts: 1, 4, 16, 64, 256 minutes by default."""
    return datetime.timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS * 4 ** (attempts - 1))


def check_address(url: str) -> None:
    """Refuse an address that is not HTTPS or that resolves to a private network (raises AddressRefused)."""
    parts = urllib.parse.urlsplit(url)
    allow_local = settings.WEBHOOKS_ALLOW_LOCAL
    if parts.scheme != "https" and not (allow_local and parts.scheme == "http"):
        raise AddressRefused("A webhook address must start with https://.")
    if not parts.hostname:
        raise AddressRefused("A webhook address needs a host name.")
    if allow_local:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (socket.gaierror, UnicodeError):
        raise AddressRefused("The webhook address's host name does not resolve.") from None
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%", 1)[0])
        if not ip.is_global:
            raise AddressRefused("A webhook address must be on the public internet.")


def _body(event: str, delivery_id: str, data: dict[str, Any]) -> str:
    payload = {"id": delivery_id, "event": event, "created": timezone.now().isoformat(), "data": data}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def emit(event: WebhookEvent, data: dict[str, Any], *, jurisdiction_code: str | None) -> list[WebhookDelivery]:
    """Record a delivery of the event for every endpoint that wants it, and have each sent once the data commits."""
    deliveries = []
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        if endpoint.wants(event, jurisdiction_code):
            delivery = WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=timezone.now())
            delivery.body = _body(event, str(delivery.public_id), data)
            delivery.save()
            deliveries.append(delivery)
    if deliveries:
        from compliance import tasks

        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: [tasks.deliver_webhook.enqueue(pk) for pk in ids])
    return deliveries


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is the receiver's answer, recorded as a failure


_opener = urllib.request.build_opener(_NoRedirects)


def send(delivery: WebhookDelivery) -> WebhookDelivery:
    """One attempt: POST the signed body; record the outcome, and when to try again if it failed."""
    endpoint = delivery.endpoint
    now = timezone.now()
    body = delivery.body.encode()
    status_code: int | None = None
    error = ""
    try:
        check_address(endpoint.url)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
            endpoint.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "SignWatch-Event": delivery.event,
                "SignWatch-Delivery": str(delivery.public_id),
                "SignWatch-Signature": signature_header(endpoint.secret, int(now.timestamp()), body),
            },
        )
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            status_code = answer.status
    except urllib.error.HTTPError as refused:
        status_code = refused.code
        error = f"HTTP {refused.code}"
    except (AddressRefused, urllib.error.URLError, OSError, ValueError) as failure:
        error = str(getattr(failure, "reason", failure))[:300]
    delivery.attempts += 1
    delivery.last_status_code = status_code
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
    else:
        delivery.last_error = error or f"HTTP {status_code}"
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save()
    return delivery


def due(now: datetime.datetime | None = None) -> Iterable[WebhookDelivery]:
    """Deliveries waiting for an attempt whose time has come (for the worker with no deferred tasks)."""
    return WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now or timezone.now()
    ).select_related("endpoint")


# --- the events ---


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def report_approved(observation: Any) -> None:
    """report.approved: what the venue page shows of it; then figures.changed for its jurisdiction."""
    from django.urls import reverse

    venue = observation.venue
    code = venue.jurisdiction.code
    if observation.is_demo:
        return
    emit(
        WebhookEvent.REPORT_APPROVED,
        {
            "report_id": str(observation.public_id),
            "sign_status": observation.sign_status,
            "deficiencies": list(observation.deficiencies),
            "observed_on": observation.observed_on.isoformat(),
            "venue": {
                "type": venue.venue_type.slug,
                "jurisdiction": code,
                "latitude": venue.latitude,
                "longitude": venue.longitude,
                "id": str(venue.public_id),
                "url": _absolute(reverse("venue", args=[venue.public_id])),
            },
        },
        jurisdiction_code=code,
    )
    transaction.on_commit(lambda: figures_changed(code))


def figures_changed(code: str) -> None:
    """figures.changed: a jurisdiction's figures as the map has them now (built only when someone listens)."""
    if not any(endpoint.wants(WebhookEvent.FIGURES_CHANGED, code) for endpoint in WebhookEndpoint.objects.all()):
        return
    from compliance import scoreboard

    entry = scoreboard.current().data["jurisdictions"].get(code)
    if entry is None:
        return
    emit(
        WebhookEvent.FIGURES_CHANGED,
        {"jurisdiction": code, "law_status": entry["law_status"], "overall": entry["overall"]},
        jurisdiction_code=code,
    )


def letter_answered(letter: Any) -> None:
    """letter.answered: which office answered which kind of letter, and when (never the answer's text)."""
    from django.urls import reverse

    code = letter.jurisdiction.code
    emit(
        WebhookEvent.LETTER_ANSWERED,
        {
            "jurisdiction": code,
            "kind": letter.kind,
            "sent_on": letter.sent_on.isoformat() if letter.sent_on else None,
            "answered_on": letter.answered_on.isoformat(),
            "url": _absolute(reverse("jurisdiction", args=[code])),
        },
        jurisdiction_code=code,
    )


def law_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    """Signal receiver, law.changed: a posting-law record was saved."""
    from django.urls import reverse

    code = instance.jurisdiction.code
    emit(
        WebhookEvent.LAW_CHANGED,
        {
            "jurisdiction": code,
            "status": instance.status,
            "citation": laws.citation_to_print(instance),
            "verified": laws.is_verified(instance),
            "confidence": instance.confidence,
            "url": _absolute(reverse("jurisdiction", args=[code])),
        },
        jurisdiction_code=code,
    )
