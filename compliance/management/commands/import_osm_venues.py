from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance import frame, osm
from compliance.models import Jurisdiction


class Command(BaseCommand):
    help = (
        "Import covered venues from an OpenStreetMap extract (.osm.pbf, .osm, or Overpass .json) into the venue "
        "frame: creates, updates, reopens and closes venues by their OSM element. Data © OpenStreetMap contributors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--jurisdiction",
            metavar="XX",
            help="Keep only venues in this jurisdiction (USPS code); frame venues elsewhere are left alone.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jurisdiction = None
        if options["jurisdiction"]:
            code = options["jurisdiction"].upper()
            jurisdiction = Jurisdiction.objects.filter(code=code).first()
            if jurisdiction is None:
                raise CommandError(f"unknown jurisdiction {code!r}")
        stats = osm.ReadStats()
        try:
            run, summary = frame.import_features(
                osm.read(options["path"], stats=stats),
                source_name=options["path"].name,
                extract_date=lambda: stats.as_of,
                jurisdiction=jurisdiction,
            )
        except (osm.UnreadableExtract, frame.UnknownVenueType) as error:
            raise CommandError(f"{type(error).__name__}: {error}") from error
        counts = ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in summary.as_dict().items())
        self.stdout.write(f"{run.source_name} as of {run.as_of}: {counts}; {stats.unplaced} without a location.")
