from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance import backup


class Command(BaseCommand):
    help = (
        "Load an archive written by `manage.py backup` into a freshly migrated database and put its photo files "
        "back in storage, checking every SHA-256. Refuses a database that already holds data unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive written by `manage.py backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace everything in a database that already holds data"
        )

    def handle(self, *args, path, force, **options):
        try:
            summary = backup.restore_backup(path, force=force)
        except backup.ArchiveError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(summary))
