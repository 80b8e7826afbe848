from pathlib import Path

from django.core.management.base import BaseCommand

from compliance import backup


class Command(BaseCommand):
    help = (
        "Write one tar.gz archive holding the database (dumpdata JSON), every photo file from storage and a "
        "manifest of counts and SHA-256 hashes. Restore it with `manage.py restore PATH`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive to write, e.g. signwatch-2026-01-31.tar.gz")

    def handle(self, *args, path, **options):
        self.stdout.write(str(backup.create_backup(path)))
