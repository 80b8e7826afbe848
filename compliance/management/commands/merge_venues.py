from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from compliance import merges


class Command(BaseCommand):
    help = (
        "Pair volunteers' venues with the frame venues of their type nearby: merge sure pairs (one frame venue within "
        "the match radius, no other near), and propose the rest on the admin's venue merge screen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--propose-only", action="store_true", help="Merge nothing; propose every pair to staff.")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = merges.find_pairs(auto_merge=not options["propose_only"])
        self.stdout.write(
            f"{summary.merged} merged, {summary.proposed} proposed to staff, {summary.unmatched} unmatched."
        )
