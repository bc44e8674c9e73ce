import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from nexus.imports.errors import ImportFileInvalid
from nexus.imports.formats import FORMATS, RowError, infer_format
from nexus.imports.pipeline import CHUNK_SIZE, import_catalog


class Command(BaseCommand):
    help = (
        "Import products, variants and stock from a CSV or NDJSON file (docs/api.md, "
        "'Bulk import'). Exits with status 1 when any row was bad."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV or NDJSON file.")
        parser.add_argument(
            "--format", choices=FORMATS, help="Default: from the file name's extension."
        )
        parser.add_argument(
            "--atomic", action="store_true", help="Import nothing if any row is bad."
        )
        parser.add_argument(
            "--warehouse", help="Warehouse slug for a plain 'stock' column (or NDJSON number)."
        )
        parser.add_argument(
            "--chunk-size", type=int, default=CHUNK_SIZE, help="Rows per transaction."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        file_format = options["format"] or infer_format(path.name)
        if file_format is None:
            raise CommandError("Cannot tell the format from the file name: give --format.")
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be 1 or more.")
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        started = time.perf_counter()
        with (
            path.open("rb") as stream,
            tqdm(
                total=size,
                unit="B",
                unit_scale=True,
                disable=options["quiet"],
                file=self.stderr,
            ) as bar,
        ):

            def progress(bytes_read: int, rows: int) -> None:
                bar.update(bytes_read - bar.n)
                bar.set_postfix(rows=rows, refresh=False)

            try:
                summary = import_catalog(
                    stream,
                    file_format=file_format,
                    atomic=options["atomic"],
                    default_warehouse=options["warehouse"],
                    chunk_size=options["chunk_size"],
                    on_error=lambda error: self._report(bar, error),
                    on_progress=progress,
                )
            except ImportFileInvalid as exc:
                raise CommandError(exc.message) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{summary.rows} rows in {seconds:.1f}s: {summary.created} created, "
            f"{summary.updated} updated, {summary.unchanged} unchanged, {summary.failed} failed."
        )
        if summary.rolled_back:
            self.stdout.write("Nothing was imported (--atomic and some rows were bad).")
        if summary.failed:
            raise CommandError(f"{summary.failed} bad rows.", returncode=1)

    def _report(self, bar: "tqdm[Any]", error: RowError) -> None:
        # Printed as found, above the bar: a file of bad rows is not held in memory.
        with bar.external_write_mode():
            self.stdout.write(f"line {error.line}: {error.reason}")
