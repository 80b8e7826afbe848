from django.core.management.base import BaseCommand

from compliance import reference_data


class Command(BaseCommand):
    help = "Load jurisdictions, venue types, posting laws and AG offices from compliance/data/ (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        summary = reference_data.load()
        self.stdout.write(str(summary))
