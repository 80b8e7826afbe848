from django.core.management.base import BaseCommand, CommandError

from compliance import tasks


class Command(BaseCommand):
    help = (
        "Read the hotline sign on stored photos by OCR: those not read yet (photos stored before sign reading, or "
        "while it was off), or all of them with --again (after an engine upgrade)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--again", action="store_true", help="read photos that already have a reading too")
        parser.add_argument(
            "--queue", action="store_true", help="queue each photo for the task workers instead of reading here"
        )
        parser.add_argument("--limit", type=int, default=None, metavar="N", help="read at most N photos")

    def handle(self, *args, again, queue, limit, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more")
        counts = tasks.read_stored_photos(again=again, queue=queue, limit=limit)
        self.stdout.write(
            f"Read {counts['read']:,} photos, queued {counts['queued']:,}, could not read {counts['failed']:,}."
        )
