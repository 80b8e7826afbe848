import datetime

from django.core.management.base import BaseCommand, CommandError

from compliance import backup


class Command(BaseCommand):
    help = (
        "Delete photo files (under photos/ and thumbs/) that no Photo row names, such as those left by a worker "
        "killed mid-upload; files younger than --older-than minutes are left alone, as uploads may be in flight. "
        "Also counts Photo rows whose files are missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=backup.DEFAULT_GRACE_MINUTES,
            metavar="MINUTES",
            help=f"only files at least this old (default {backup.DEFAULT_GRACE_MINUTES})",
        )
        parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")

    def handle(self, *args, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more minutes")
        audit = backup.prune_orphan_photos(older_than=datetime.timedelta(minutes=older_than), dry_run=dry_run)
        if dry_run:
            for name in audit.orphans:
                self.stdout.write(name)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {len(audit.orphans):,} orphan photo files; left {audit.recent_orphans:,} younger than "
            f"{older_than} min; {len(audit.missing):,} files named by photo rows are missing."
        )
