"""Background work (django-tasks): inline with the immediate backend, in `manage.py db_worker` with the database one.

Reading each stored photo's sign after intake (never in the request: with the immediate backend the task runs once
the submission has committed), webhook deliveries and their retries, emails to volunteers, drawing the report,
sign and letter PDFs that requests serve (compliance/documents.py), and the recount of the figures on a new day or
after a bulk change (compliance/tallies.py).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task
from django_tasks.base import Task

from compliance import documents, laws, notifications, ocr, scoreboard, signreading, webhooks
from compliance.models import Letter, Observation, Photo, PostingLaw, SignReading, WebhookDelivery

logger = logging.getLogger(__name__)


def in_background() -> bool:
    """Whether tasks run in a separate worker (the database backend) rather than inline, in the request."""
    return bool(default_task_backend.supports_defer)


@task()
def rebuild_scoreboard() -> str:
    """Recount what needs recounting and build today's figures, so requests stop serving the last good copy."""
    return scoreboard.current().etag


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Attempt one webhook delivery; on failure, schedule the next attempt with backoff."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .first()
    )
    if delivery is None:  # delivered or given up meanwhile (a retry enqueued twice, say)
        return "done"
    delivery = webhooks.send(delivery)
    if delivery.status == WebhookDelivery.Status.PENDING and delivery.next_attempt_at:
        backend = deliver_webhook.get_backend()
        if backend.supports_defer:
            deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
        # Otherwise (the immediate backend runs tasks inline and cannot wait) `manage.py send_webhooks`, run
        # every minute by cron or a timer, attempts what is due: see docs/webhooks.md.
    return delivery.status


def _send(email: EmailMessage | None, retry: Task[..., str], *args: Any, attempt: int) -> str:
    """Send one email; on a failure of the mail server, try again later (with backoff) while attempts remain."""
    if email is None:
        return "nothing to send"
    try:
        email.send()
    except (OSError, smtplib.SMTPException):
        logger.warning("Email not sent (attempt %d of %d)", attempt, notifications.MAX_ATTEMPTS, exc_info=True)
        if attempt >= notifications.MAX_ATTEMPTS:
            return "gave up"
        backend = retry.get_backend()
        if backend.supports_defer:
            run_after = timezone.now() + notifications.retry_delay(attempt)
            retry.using(run_after=run_after).enqueue(*args, attempt=attempt + 1)
            return "will retry"
        # The inline backend cannot wait: retrying now would only hold the moderator's request longer.
        return "not sent (retries need TASKS_BACKEND=database)"
    return "sent"


@task()
def send_review_notice(observation_id: int, attempt: int = 1) -> str:
    """Tell a volunteer what the moderator decided about their report."""
    observation = Observation.objects.select_related("venue__venue_type", "venue__jurisdiction").get(pk=observation_id)
    return _send(notifications.review_notice(observation), send_review_notice, observation_id, attempt=attempt)


@task()
def send_answer_notice(letter_id: int, contact_id: int, attempt: int = 1) -> str:
    """Tell a volunteer that a letter about their state was answered."""
    letter = Letter.objects.select_related("jurisdiction").get(pk=letter_id)
    return _send(
        notifications.answer_notice(letter, contact_id), send_answer_notice, letter_id, contact_id, attempt=attempt
    )


def sign_requirements(law: PostingLaw | None) -> signreading.SignRequirements:
    """What the law in force asks of the sign's text (laws.py reads it): the numbers it names, languages, text line."""
    asks = laws.sign_text_required(law)
    expected = signreading.numbers_named(asks.content)
    if asks.state_hotline is not None:
        name, number = asks.state_hotline
        state = signreading.ExpectedNumber(name, number, is_state_hotline=True)
        expected = [number for number in expected if number.digits != state.digits] + [state]
    return signreading.SignRequirements(
        expected=tuple(expected),
        required_languages=asks.languages,
        text_line_required=asks.text_line_required,
        state_hotline_required=asks.state_hotline_required,
    )


def read_photo(photo: Photo) -> SignReading:
    """Read a stored photo by OCR, find what the sign says against the law in force, and store the reading."""
    observation = photo.observation
    asks = sign_requirements(observation.venue.jurisdiction.current_law(observation.observed_on))
    with photo.image.open("rb") as stored:
        result = ocr.read(stored.read())
    found = signreading.read_text(result.lines, asks.expected)
    suggested = signreading.suggested_deficiencies(
        found,
        required_languages=asks.required_languages,
        text_line_required=asks.text_line_required,
        state_hotline_required=asks.state_hotline_required,
    )
    reading, _created = SignReading.objects.update_or_create(
        photo=photo,
        defaults={
            "text": "\n".join(line.text for line in result.lines),
            "lines": [
                {"text": line.text, "confidence": round(line.confidence, 3), "box": [list(point) for point in line.box]}
                for line in result.lines
            ],
            "findings": [finding.as_dict() for finding in found.findings],
            "hotline_found": found.hotline_found,
            "text_line_found": found.text_line_found,
            "state_hotline_found": found.state_hotline_found if asks.state_hotline_required else None,
            "languages": found.languages,
            "suggested_deficiencies": suggested,
            "engine": result.engine,
            "engine_version": result.engine_version,
            "seconds": result.seconds,
        },
    )
    return reading


@task()
def read_sign(photo_id: int) -> str:
    """Read one stored photo's sign; a photo deleted meanwhile is skipped."""
    photo = Photo.objects.select_related("observation__venue__jurisdiction").filter(pk=photo_id).first()
    if photo is None:
        return "gone"
    return read_photo(photo).outcome


def enqueue_readings(photo_ids: Iterable[int]) -> None:
    """Queue a reading of each photo once the transaction that stored them has committed."""
    if not settings.SIGN_READING:
        return
    ids = list(photo_ids)

    def enqueue() -> None:
        for photo_id in ids:
            try:
                read_sign.enqueue(photo_id)
            except Exception:
                # With the immediate backend a failing read must not fail the volunteer's submission, which is
                # already stored; the reading can be made later with `manage.py read_signs`.
                logger.exception("Could not read the sign on photo %s", photo_id)

    transaction.on_commit(enqueue)


def read_stored_photos(*, again: bool = False, queue: bool = False, limit: int | None = None) -> dict[str, int]:
    """Read photos stored before sign reading existed (or all, `again`), here or through the task queue."""
    photos = Photo.objects.select_related("observation__venue__jurisdiction").order_by("pk")
    if not again:
        photos = photos.filter(sign_reading__isnull=True)
    if limit is not None:
        photos = photos[:limit]
    counts = {"read": 0, "queued": 0, "failed": 0}
    for photo in photos.iterator(chunk_size=200):
        if queue:
            read_sign.enqueue(photo.pk)
            counts["queued"] += 1
            continue
        try:
            read_photo(photo)
        except (OSError, ValueError):
            # A file gone from storage or one the decoder refuses: counted, and the others are still read.
            logger.exception("Could not read the sign on photo %s", photo.pk)
            counts["failed"] += 1
        else:
            counts["read"] += 1
    return counts


@task()
def send_campaign_confirmation(supporter_id: int, attempt: int = 1) -> str:
    """Send a campaign supporter the link that confirms their address."""
    return _send(
        notifications.campaign_confirmation(supporter_id), send_campaign_confirmation, supporter_id, attempt=attempt
    )


@task()
def render_document(document_id: int) -> str:
    """Draw one queued PDF (a report, a sign, a letter) so that requests can serve it."""
    return documents.render(document_id)
