import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from nexus.catalog.models import Category
from nexus.demo.catalog_seed import seed_catalog


class Command(BaseCommand):
    help = "Fill an empty catalog with a realistic, deterministic demo catalog."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=1000, help="How many products.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same catalog.")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production (NEXUS_ENV=production).")
        if options["products"] < 0:
            raise CommandError("--products must be 0 or more.")
        if Category.objects.exists():
            raise CommandError("The catalog is not empty; seed_catalog fills an empty one.")
        started = time.perf_counter()
        with tqdm(
            total=options["products"], unit="product", disable=options["quiet"], file=self.stderr
        ) as bar:
            written = seed_catalog(
                products=options["products"], seed=options["seed"], progress=bar.update
            )
        seconds = time.perf_counter() - started
        self.stdout.write(f"{written} products written in {seconds:.1f}s.")
