from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance import missions, sampling
from compliance.models import Jurisdiction


class Command(BaseCommand):
    help = (
        "Draw a reproducible stratified random sample of a jurisdiction's venue frame (strata: the venue types its "
        "law covers without condition); it replaces the jurisdiction's current sample."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="The jurisdiction's USPS code, e.g. TX")
        parser.add_argument("--seed", type=int, help="Random seed (default: a fresh random one, recorded)")
        parser.add_argument(
            "--margin",
            type=float,
            default=sampling.DEFAULT_MARGIN_OF_ERROR,
            help="Target 95%% margin of error per stratum, as a share (default %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jurisdiction = Jurisdiction.objects.filter(code=options["code"].upper()).first()
        if jurisdiction is None:
            raise CommandError(f"unknown jurisdiction {options['code']!r}")
        if not 0 < options["margin"] < 1:
            raise CommandError("--margin must be between 0 and 1, e.g. 0.1 for ±10 points")
        try:
            sample = missions.draw_sample(
                jurisdiction=jurisdiction, seed=options["seed"], margin_of_error=options["margin"]
            )
        except missions.NothingToSample as error:
            raise CommandError(str(error)) from error
        strata = ", ".join(f"{s.venue_type.slug} {s.sample_size} of {s.frame_size}" for s in sample.strata.all())
        drawn = f"{jurisdiction.code} sample {sample.public_id}: seed {sample.seed}, frame as of {sample.frame_as_of}"
        self.stdout.write(f"{drawn}; {strata}")
