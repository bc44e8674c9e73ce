"""Records to bytes, chunk by chunk: CSV through the csv module, NDJSON through orjson.

Both yield ``(bytes, records)`` per chunk so that a job can count its progress while
the streaming endpoint only forwards the bytes.
"""

import csv
import io
from collections.abc import Generator, Iterator
from contextlib import closing
from typing import Any

import orjson
from django.db import transaction
from django.db.models import QuerySet

from nexus.exports.models import ExportFormat
from nexus.exports.sources import CHUNK_SIZE, SOURCES, ExportSource, Record

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.NDJSON: "application/x-ndjson",
}


def _csv(source: ExportSource, batches: Generator[list[Record]]) -> Generator[tuple[bytes, int]]:
    # One small buffer, emptied after every chunk: memory stays at one chunk's text.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line ends

    def drain() -> bytes:
        data = buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
        return data

    # The header goes out before the first query runs: the client sees bytes at once.
    writer.writerow(source.csv_header)
    yield drain(), 0
    with closing(batches):
        for batch in batches:
            for record in batch:
                writer.writerows(source.csv_rows(record))
            yield drain(), len(batch)


def _ndjson(batches: Generator[list[Record]]) -> Generator[tuple[bytes, int]]:
    with closing(batches):
        for batch in batches:
            lines = [orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE) for record in batch]
            yield b"".join(lines), len(batch)


def export_chunks(
    *, kind: str, export_format: str, queryset: QuerySet[Any], chunk_size: int = CHUNK_SIZE
) -> Generator[tuple[bytes, int]]:
    """The export of ``queryset`` as ``(bytes, records in them)`` per chunk."""
    source = SOURCES[kind]
    batches = source.batches(queryset, chunk_size)
    if export_format == ExportFormat.CSV:
        return _csv(source, batches)
    return _ndjson(batches)


def export_bytes(
    *, kind: str, export_format: str, queryset: QuerySet[Any], chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """The same export as bytes only, for a streaming response.

    It runs in one transaction: there Django declares its server-side cursor without
    WITH HOLD, so PostgreSQL sends rows as it finds them (in autocommit it would
    materialise the whole result before the first row), and all chunks read one
    snapshot. A client hanging up closes this generator, which rolls back.
    """
    with transaction.atomic():
        chunks = export_chunks(
            kind=kind, export_format=export_format, queryset=queryset, chunk_size=chunk_size
        )
        with closing(chunks):
            for data, _records in chunks:
                if data:
                    yield data
