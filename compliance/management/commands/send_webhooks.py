"""Attempt every webhook delivery whose time has come (with the immediate task backend, run it every minute)."""

from django.core.management.base import BaseCommand

from compliance import webhooks


class Command(BaseCommand):
    help = "Attempt every webhook delivery that is due (first attempts and retries)."

    def handle(self, *args, **options):
        outcomes = [webhooks.send(delivery).status for delivery in webhooks.due()]
        delivered = outcomes.count("delivered")
        self.stdout.write(f"{len(outcomes)} attempted: {delivered} delivered, {len(outcomes) - delivered} not yet")
