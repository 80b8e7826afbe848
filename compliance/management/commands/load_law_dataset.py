import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance import registry


class Command(BaseCommand):
    help = "Load a published law registry (the JSON from /laws.json) into a database that has no law rows yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: object, **options: Any) -> None:
        try:
            data = json.loads(options["path"].read_text(encoding="utf-8"))
            loaded = registry.load_dataset(data)
        except (OSError, ValueError, registry.DatasetRefused) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Loaded {loaded} law rows from {registry.DATASET_NAME} version {data['version']}.")
