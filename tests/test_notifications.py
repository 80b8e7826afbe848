"""Review notices by email: a real SMTP server on loopback (aiosmtpd) receives them; the unsubscribe link works."""

from __future__ import annotations

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from rest_framework.test import APIClient

from compliance import notifications, outreach
from compliance.models import Letter, Observation, ReportContact
from tests.test_observations import AUSTIN, at, plain_jpeg, post


class Mailbox:
    """aiosmtpd handler: keeps every message it is given, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks its server by connecting, so 0 will not do)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.SITE_URL = "http://testserver"
    yield mailbox
    controller.stop()


def body_of(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def unsubscribe_path(message: email.message.EmailMessage) -> str:
    link = re.search(r"http://testserver(/unsubscribe/[^/\s]+/)", body_of(message)).group(1)
    assert message["List-Unsubscribe"].strip() == f"<http://testserver{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "example" not in link.lower()  # the link carries no address: links end up in logs
    return link


@pytest.mark.django_db(transaction=True)
def test_the_volunteer_gets_the_review_by_email_and_unsubscribes_in_one_click(
    smtp, committed_registry, moderator, media_root
):
    sent = post(APIClient(), plain_jpeg(), email="Volunteer@Example.org", notes="private", **at(AUSTIN))
    assert sent.status_code == 201
    assert "email" not in sent.json() and "Volunteer" not in sent.content.decode()
    moderators = APIClient()
    moderators.force_authenticate(moderator)
    decided = moderators.post(
        f"/api/moderation/observations/{sent.json()['id']}/",
        {"action": "reject", "reason": "The photo shows a different building."},
        format="json",
    )
    assert decided.status_code == 200
    (message,) = smtp.messages
    assert message["To"] == "Volunteer@Example.org"
    assert message["Subject"] == "Your SignWatch report was not approved"
    text = body_of(message)
    assert "The moderator's reason: The photo shows a different building." in text
    assert f"http://testserver/r/{sent.json()['receipt']}/" in text
    assert "1-888-373-7888" in text

    link = unsubscribe_path(message)
    client = Client()
    asked = client.get(link)  # a mail scanner opening the link changes nothing
    assert asked.status_code == 200 and ReportContact.objects.count() == 1
    one_click = client.post(link, {"List-Unsubscribe": "One-Click"})  # what a mail client sends (RFC 8058)
    assert one_click.status_code == 200 and "no more emails" in one_click.content.decode()
    assert not ReportContact.objects.exists()
    assert Observation.objects.count() == 1  # the report stays, without the address
    assert client.post(link.replace("/unsubscribe/", "/unsubscribe/x")).status_code == 404  # a forged token


@pytest.mark.django_db(transaction=True)
def test_an_answered_letter_reaches_each_volunteer_of_the_state_once(smtp, committed_registry, advocate, media_root):
    api = APIClient()
    for seed, address in enumerate(["a@example.org", "A@example.org", "b@example.org"], start=1):
        assert post(api, plain_jpeg(seed), email=address, **at(AUSTIN)).status_code == 201
    assert post(api, plain_jpeg(9), email="ca@example.org", lat=34.05, lon=-118.24).status_code == 201
    assert post(api, plain_jpeg(10), **at(AUSTIN)).status_code == 201  # no address left
    from compliance import letters
    from compliance.models import Jurisdiction

    letter = letters.compose(
        jurisdiction=Jurisdiction.objects.get(code="TX"), kind="enforcement", author=advocate, report_url="/r/"
    )
    outreach.update_outreach(letter=letter, by=advocate, changes={"outreach_status": "sent"})
    assert smtp.messages == []
    outreach.change(letter=Letter.objects.get(pk=letter.pk), by=advocate, changes={"outreach_status": "answered"})
    recipients = sorted(message["To"].lower() for message in smtp.messages)
    assert recipients == ["a@example.org", "b@example.org"]  # once per address, Texas only
    assert all(message["Subject"] == "The Texas Attorney General answered a letter" for message in smtp.messages)
    assert "http://testserver/j/TX/" in body_of(smtp.messages[0])


@pytest.mark.django_db(transaction=True)
def test_spanish_volunteers_get_spanish_email(smtp, committed_registry, moderator, media_root):
    sent = post(APIClient(headers={"accept-language": "es"}), plain_jpeg(), email="v@example.org", **at(AUSTIN))
    moderators = APIClient()
    moderators.force_authenticate(moderator)
    moderators.post(f"/api/moderation/observations/{sent.json()['id']}/", {"action": "approve"}, format="json")
    (message,) = smtp.messages
    assert ReportContact.objects.get().language == "es"
    assert message["Subject"] == "Su reporte de SignWatch fue aprobado"


def test_bad_addresses_are_refused_and_nothing_is_stored(api, media_root):
    refused = post(api, plain_jpeg(), email="not an address", **at(AUSTIN))
    assert refused.status_code == 400 and refused.json()["field"] == "email"
    assert not Observation.objects.exists() and not ReportContact.objects.exists()


def test_the_address_goes_with_the_report(api, media_root):
    sent = post(api, plain_jpeg(), email="v@example.org", **at(AUSTIN))
    observation = Observation.objects.get(public_id=sent.json()["id"])
    assert ReportContact.objects.get().observation == observation
    observation.photos.all().delete()
    observation.delete()
    assert not ReportContact.objects.exists()


def test_unsubscribe_forgets_the_address_everywhere_and_tokens_cannot_be_forged(api, media_root):
    for seed in (1, 2):
        post(api, plain_jpeg(seed), email="V@example.org", **at(AUSTIN))
    post(api, plain_jpeg(3), email="other@example.org", **at(AUSTIN))
    first = ReportContact.objects.filter(email="V@example.org").first()
    token = notifications.unsubscribe_token(first)
    assert notifications.contact_id_of(token) == first.pk
    assert notifications.contact_id_of(token[:-2] + "xx") is None
    assert notifications.contact_id_of(str(first.pk)) is None
    assert notifications.unsubscribe(first.pk) == 2
    assert list(ReportContact.objects.values_list("email", flat=True)) == ["other@example.org"]
    assert notifications.unsubscribe(first.pk) == 0  # a second click
