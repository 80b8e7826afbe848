"""Background work (django-tasks): inline with the immediate backend, in `manage.py db_worker` with the database one."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from compliance import notifications, webhooks
from compliance.models import Letter, Observation, WebhookDelivery

logger = logging.getLogger(__name__)


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


@task()
def send_campaign_confirmation(supporter_id: int, attempt: int = 1) -> str:
    """Send a campaign supporter the link that confirms their address."""
    return _send(
        notifications.campaign_confirmation(supporter_id), send_campaign_confirmation, supporter_id, attempt=attempt
    )
