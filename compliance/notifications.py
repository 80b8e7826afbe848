"""Emails to volunteers who left an address with a report: the review's outcome, and answers to letters about their
state. One function and one template per message (frontend/templates/emails/), sent by django-tasks workers.

The address is the volunteer's and no one else's business: it appears in no page, export, feed or API answer, and no
message names it to anyone else. Every message carries a one-click unsubscribe (RFC 8058: a List-Unsubscribe header
with a signed link, and List-Unsubscribe-Post), which deletes the address from every report it was left with. The
link names the contact row by a signed id, not the address, since links end up in mail and proxy logs.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from compliance.models import Letter, Observation, ReportContact

UNSUBSCRIBE_SALT = "signwatch.unsubscribe"
MAX_ATTEMPTS = 3


def unsubscribe_token(contact: ReportContact) -> str:
    """A signed token naming a contact by its id: links end up in mail logs, so they carry no address."""
    return signing.dumps(contact.pk, salt=UNSUBSCRIBE_SALT)


def contact_id_of(token: str) -> int | None:
    """The contact id a token names, or None when the token was not made by us (no expiry: it must always work)."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe(contact_id: int) -> int:
    """Forget the contact's address: delete it from every report it was left with. Returns how many rows went."""
    email = ReportContact.objects.filter(pk=contact_id).values_list("email", flat=True).first()
    if email is None:
        return 0  # already done (a second click)
    deleted, _ = ReportContact.objects.filter(email__iexact=email).delete()
    return deleted


def retry_delay(attempt: int) -> datetime.timedelta:
    """After the given failed attempt: the base delay, then four times longer."""
    return datetime.timedelta(seconds=settings.EMAIL_RETRY_BASE_SECONDS * 4 ** (attempt - 1))


def message(template: str, *, contact: ReportContact, context: dict[str, Any]) -> EmailMessage:
    """One email from its template (first line the subject, the rest the body), in the volunteer's language."""
    unsubscribe_url = settings.SITE_URL + reverse("unsubscribe", args=[unsubscribe_token(contact)])
    with translation.override(contact.language):
        text = render_to_string(f"emails/{template}.txt", {**context, "unsubscribe_url": unsubscribe_url})
    subject, _, body = text.strip().partition("\n")
    return EmailMessage(
        subject=subject.strip(),
        body=body.strip() + "\n",
        to=[contact.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


# --- the events that send ---


def report_reviewed(observation: Observation) -> None:
    """After a moderator's decision: tell the volunteer, if they left an address (once the decision is saved)."""
    from compliance import tasks

    if ReportContact.objects.filter(observation=observation).exists():
        transaction.on_commit(lambda: tasks.send_review_notice.enqueue(observation.pk))


def letter_answered(letter: Letter) -> None:
    """An AG office answered a letter: tell each volunteer who reported in that state (each address once).

    Tasks carry the contact's id, never the address, so the task queue keeps no copy of it after an unsubscribe.
    """
    from compliance import tasks

    latest_per_address: dict[str, int] = {}
    for pk, email in (
        # An owner's address is kept for the notice of their own report's review only.
        ReportContact.objects.filter(
            observation__venue__jurisdiction=letter.jurisdiction, observation__reported_by_owner=False
        )
        .order_by("-created_at", "-pk")
        .values_list("pk", "email")
    ):
        latest_per_address.setdefault(email.lower(), pk)
    if latest_per_address:
        letter_id, contacts = letter.pk, list(latest_per_address.values())
        transaction.on_commit(lambda: [tasks.send_answer_notice.enqueue(letter_id, pk) for pk in contacts])


# --- the messages ---


def review_notice(observation: Observation) -> EmailMessage | None:
    """The review's outcome, with the moderator's reason and the receipt link; None if the address is gone."""
    contact = ReportContact.objects.filter(observation=observation).first()
    if contact is None:
        return None
    return message(
        "review",
        contact=contact,
        context={
            "observation": observation,
            "receipt_url": settings.SITE_URL + reverse("receipt", args=[observation.receipt]),
        },
    )


def answer_notice(letter: Letter, contact_id: int) -> EmailMessage | None:
    """A letter about the volunteer's state was answered; None if the address unsubscribed meanwhile."""
    contact = ReportContact.objects.filter(pk=contact_id).first()
    if contact is None:
        return None
    return message(
        "letter_answered",
        contact=contact,
        context={
            "letter": letter,
            "state_url": settings.SITE_URL + reverse("jurisdiction", args=[letter.jurisdiction.code]),
        },
    )


def campaign_confirmation(supporter_id: int) -> EmailMessage | None:
    """The link that confirms a campaign sign-up (no unsubscribe: it is the one message a sign-up gets unasked).

    None when the supporter confirmed meanwhile (the link would only be refused) or the row is gone.
    """
    from compliance import campaigns
    from compliance.models import Supporter

    supporter = (
        Supporter.objects.select_related("campaign__jurisdiction")
        .filter(pk=supporter_id, confirmed_at__isnull=True)
        .first()
    )
    if supporter is None:
        return None
    confirm_url = settings.SITE_URL + reverse("campaign-confirm", args=[campaigns.confirmation_token(supporter)])
    with translation.override(supporter.language):
        text = render_to_string(
            "emails/campaign_confirm.txt",
            {
                "supporter": supporter,
                "campaign": supporter.campaign,
                "confirm_url": confirm_url,
                "hours": settings.CAMPAIGN_CONFIRMATION_MAX_AGE // 3600,
            },
        )
    subject, _, body = text.strip().partition("\n")
    return EmailMessage(
        subject=subject.strip(),
        body=body.strip() + "\n",
        to=[supporter.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
