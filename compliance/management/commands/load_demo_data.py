from django.core.management.base import BaseCommand, CommandError

from compliance import demo


class Command(BaseCommand):
    help = (
        "Add a clearly labelled synthetic dataset (venues and approved observations marked demo) across many states. "
        "--observations N bulk-loads about N observations for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--venues", type=int, default=None, help=f"venues to create (default {demo.DEFAULT_VENUES})"
        )
        parser.add_argument("--observations", type=int, default=None, help="about this many observations in all")
        parser.add_argument("--per-venue", type=float, default=3.0, help="mean approved observations per venue")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--clear", action="store_true", help="remove all demo data instead")

    def handle(self, *args, venues, observations, per_venue, seed, clear, **options):
        if clear:
            self.stdout.write(f"Removed {demo.clear():,} demo venues and their observations.")
            return
        if per_venue < 1:
            raise CommandError("--per-venue must be at least 1")
        if observations is not None:
            venues = max(1, round(observations / per_venue))
        summary = demo.load(venues=venues or demo.DEFAULT_VENUES, observations_per_venue=per_venue, seed=seed)
        self.stdout.write(str(summary))
