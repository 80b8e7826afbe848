"""Write the final letter of every campaign that has ended (run daily, by cron or a timer)."""

from django.core.management.base import BaseCommand

from compliance import campaigns


class Command(BaseCommand):
    help = "Write the final letter of every campaign that has ended, and record it in the letter tracker."

    def handle(self, *args, **options):
        written = campaigns.deliver_ended()
        self.stdout.write(f"{len(written)} campaign letter(s) written")
