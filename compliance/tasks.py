"""Background work (django-tasks): inline with the immediate backend, in `manage.py db_worker` with the database one."""

from __future__ import annotations

from django_tasks import task

from compliance import webhooks
from compliance.models import WebhookDelivery


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
