from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from measures.instruments import services


class Command(BaseCommand):
    help = "Add or update a validated instrument from its JSON definition (see measures/README.md)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            instrument = services.load_instrument(services.read_file(path))
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"Loaded {instrument.name} ({len(instrument.spec.items)} items).")
