"""Webhooks: signed deliveries to a real HTTP receiver on loopback, retried with backoff by a real worker."""

from __future__ import annotations

import datetime
import http.server
import json
import threading
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from compliance import observations, webhooks
from compliance.models import Letter, PostingLaw, WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.test_compliance_api import add_observation, approved_venue
from tests.test_observations import AUSTIN


class Receiver:
    """An HTTP server on loopback that checks every signature and answers 500 to the first request, then 200."""

    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.received: list[dict] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = webhooks.verify(
                    receiver.secret, self.headers["SignWatch-Signature"], body, now=int(time.time())
                )
                status = 500 if not receiver.received else 200
                receiver.received.append(
                    {
                        "valid": valid,
                        "event": self.headers["SignWatch-Event"],
                        "delivery": self.headers["SignWatch-Delivery"],
                        "body": json.loads(body),
                        "status": status,
                    }
                )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def successes(self) -> list[dict]:
        return [request for request in self.received if request["status"] == 200]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    served = Receiver()
    yield served
    served.server.shutdown()


def register(receiver: Receiver, events: list[str], jurisdictions: list[str] | None = None) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.create(
        organisation="Texas Coalition",
        url=receiver.url,
        events=events,
        jurisdictions=jurisdictions or [],
        secret=webhooks.new_secret(),
    )
    receiver.secret = endpoint.secret
    return endpoint


def test_signature_is_hmac_sha256_over_timestamp_and_body():
    body = b'{"event":"report.approved"}'
    header = webhooks.signature_header("s3cret", 1_764_950_400, body)
    # Worked out with: printf '1764950400.{"event":"report.approved"}' | openssl dgst -sha256 -hmac s3cret
    assert header == "t=1764950400,v1=23c047085a7299b4d8fec8606a55f7a13b6b77b6dca623d0fb7dfb6352eb96d8"
    assert webhooks.verify("s3cret", header, body, now=1_764_950_400 + 10)
    assert not webhooks.verify("s3cret", header, body + b" ", now=1_764_950_400)  # body changed
    assert not webhooks.verify("other", header, body, now=1_764_950_400)  # wrong secret
    assert not webhooks.verify("s3cret", header, body, now=1_764_950_400 + 301)  # replayed too late
    assert not webhooks.verify("s3cret", "garbage", body, now=1_764_950_400)


def test_backoff_grows_fourfold(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    assert [webhooks.retry_delay(n).total_seconds() for n in range(1, 6)] == [60, 240, 960, 3840, 15360]


@pytest.mark.django_db(transaction=True)
def test_each_event_reaches_the_receiver_once_after_a_retry_by_the_worker(receiver, committed_registry, settings):
    """The database task backend and a real db_worker: 500 first, retried, then exactly one 200 per event."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    register(receiver, [event.value for event in WebhookEvent])
    from django.contrib.auth.models import User

    moderator = User.objects.create_user("mod", password="pw-for-tests-only")
    venue = approved_venue("TX", "truck_stop", "missing", *AUSTIN, days_ago=5)
    pending = add_observation(venue, "posted", days_ago=1, review_status="pending")
    observations.moderate(observation=pending, moderator=moderator, action="approve")
    law = PostingLaw.objects.get(jurisdiction__code="TX")
    law.notes += " Re-read."
    law.save()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    events = sorted(request["event"] for request in receiver.successes())
    assert events == ["figures.changed", "law.changed", "report.approved"]
    assert all(request["valid"] for request in receiver.received)
    assert receiver.received[0]["status"] == 500  # the first attempt failed and was retried
    first = receiver.received[0]["delivery"]
    assert [request["delivery"] for request in receiver.received].count(first) == 2  # same id on the retry
    assert len({request["delivery"] for request in receiver.successes()}) == 3
    approved = next(request["body"] for request in receiver.successes() if request["event"] == "report.approved")
    assert approved["data"]["report_id"] == str(pending.public_id)
    assert approved["data"]["sign_status"] == "posted"
    assert approved["data"]["venue"]["latitude"] == venue.latitude  # the venue's point
    figures = next(request["body"] for request in receiver.successes() if request["event"] == "figures.changed")
    assert figures["data"]["jurisdiction"] == "TX"
    log = WebhookDelivery.objects.order_by("pk")
    assert [delivery.status for delivery in log] == ["delivered"] * 3
    assert sorted(delivery.attempts for delivery in log) == [1, 1, 2]


@pytest.mark.django_db(transaction=True)
def test_immediate_backend_retries_through_the_command(receiver, committed_registry, advocate):
    register(receiver, ["letter.answered"], jurisdictions=["TX"])
    from compliance import outreach
    from compliance.models import Jurisdiction

    letter = Letter.objects.create(
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        kind=Letter.Kind.ENFORCEMENT,
        author=advocate,
        subject="s",
        body="b",
        outreach_status=Letter.Outreach.SENT,
        sent_on=timezone.localdate() - datetime.timedelta(days=9),
    )
    outreach.change(
        letter=letter, by=advocate, changes={"outreach_status": "answered", "answered_on": timezone.localdate()}
    )
    assert [request["status"] for request in receiver.received] == [500]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    call_command("send_webhooks")
    assert [request["status"] for request in receiver.received] == [500, 200]
    (answered,) = receiver.successes()
    assert answered["body"]["data"] == {
        "jurisdiction": "TX",
        "kind": "enforcement",
        "sent_on": letter.sent_on.isoformat(),
        "answered_on": timezone.localdate().isoformat(),
        "url": "http://127.0.0.1:8000/j/TX/",
    }
    call_command("send_webhooks")  # nothing left to send
    assert len(receiver.received) == 2


def test_endpoint_gives_up_after_the_last_attempt(receiver, db, settings):
    endpoint = register(receiver, ["law.changed"])
    endpoint.url = "http://127.0.0.1:9/hook"  # the discard port: nothing listens there
    endpoint.save()
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="law.changed", body="{}")
    for _attempt in range(webhooks.MAX_ATTEMPTS):
        delivery = webhooks.send(delivery)
    assert delivery.status == "failed" and delivery.attempts == webhooks.MAX_ATTEMPTS
    assert delivery.next_attempt_at is None and delivery.last_error


def test_subscriptions_filter_by_event_and_jurisdiction(receiver, db):
    texas = register(receiver, ["law.changed"], jurisdictions=["TX"])
    law = PostingLaw.objects.get(jurisdiction__code="CA")
    law.save()
    assert not WebhookDelivery.objects.exists()
    law = PostingLaw.objects.get(jurisdiction__code="TX")
    law.save()
    assert WebhookDelivery.objects.get().endpoint == texas


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://127.0.0.1/hook", False),
        ("https://10.1.2.3/hook", False),
        ("https://169.254.169.254/latest/meta-data", False),  # a cloud metadata service
        ("https://[::1]/hook", False),
        ("http://93.184.215.14/hook", False),  # not HTTPS
        ("https://93.184.215.14/hook", True),
        ("ftp://93.184.215.14/hook", False),
    ],
)
def test_addresses_must_be_public_https(settings, url, allowed):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    if allowed:
        webhooks.check_address(url)
    else:
        with pytest.raises(webhooks.AddressRefused):
            webhooks.check_address(url)


def test_advocates_register_and_get_the_secret_once(advocate, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    client = APIClient()
    client.force_authenticate(advocate)
    refused = client.post(
        "/api/webhooks/",
        {"organisation": "X", "url": "https://127.0.0.1/hook", "events": ["law.changed"]},
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["field"] == "url"
    bad_event = client.post(
        "/api/webhooks/",
        {"organisation": "X", "url": "https://93.184.215.14/h", "events": ["everything"]},
        format="json",
    )
    assert bad_event.status_code == 400 and bad_event.json()["field"].startswith("events")
    made = client.post(
        "/api/webhooks/",
        {"organisation": "X", "url": "https://93.184.215.14/h", "events": ["law.changed"], "jurisdictions": ["tx"]},
        format="json",
    )
    assert made.status_code == 201 and len(made.json()["secret"]) >= 40
    assert made.json()["jurisdictions"] == ["TX"]
    listed = client.get("/api/webhooks/").json()
    assert [row["id"] for row in listed] == [made.json()["id"]] and "secret" not in listed[0]
    assert client.get(f"/api/webhooks/{made.json()['id']}/deliveries/").json() == []
    assert client.delete(f"/api/webhooks/{made.json()['id']}/").status_code == 204
    assert APIClient().get("/api/webhooks/").status_code in (401, 403)
