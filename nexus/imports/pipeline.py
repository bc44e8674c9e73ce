"""The import pipeline: read → parse → validate → write, as a chain of generators.

Only one chunk of rows is in memory at a time. Each chunk is written in its own
transaction (a savepoint when the whole import is atomic), and a chunk that changed
the catalog bumps the catalog version once, on commit — never once per row.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any, TypeVar

from django.db import IntegrityError, transaction

from nexus.catalog import cache as catalog_cache
from nexus.core.errors import DomainError
from nexus.imports.errors import ImportFileInvalid
from nexus.imports.formats import Format, ReadProgress, RowError, read_rows
from nexus.imports.upsert import Labels, Outcome, UpsertResult, upsert_rows
from nexus.imports.validation import ImportRow, References, RowValidator, domain_reason

CHUNK_SIZE = 500
DEFAULT_REASON = "Bulk import"

T = TypeVar("T")


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    # An atomic import with a bad row writes nothing: the counts above stay 0 but
    # ``failed``, and this is set.
    rolled_back: bool = False

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed


ErrorSink = Callable[[RowError], object]
ProgressSink = Callable[[int, int], object]  # (bytes read so far, rows handled so far)


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last one shorter), pulled lazily."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class ImportSession:
    """Counts, reports bad rows and writes chunks, each in its own transaction."""

    def __init__(self, *, atomic: bool, on_error: ErrorSink, labels: Labels) -> None:
        self.atomic = atomic
        self.on_error = on_error
        self.labels = labels
        self.summary = ImportSummary()
        self.catalog_changed = False

    def reject(self, error: RowError) -> None:
        self.summary.failed += 1
        self.on_error(error)

    @property
    def writing(self) -> bool:
        """An atomic import stops writing at its first bad row (it will roll back),
        but reads on to report every bad row."""
        return not (self.atomic and self.summary.failed)

    @contextmanager
    def _chunk_transaction(self) -> Iterator[list[UpsertResult]]:
        results: list[UpsertResult] = []
        with transaction.atomic():
            yield results
            if any(result.catalog_changed for result in results):
                self.catalog_changed = True
                if not self.atomic:
                    transaction.on_commit(catalog_cache.bump_version)

    def write(self, rows: Sequence[ImportRow], *, actor: Any, reason: str) -> None:
        try:
            with self._chunk_transaction() as results:
                results.append(upsert_rows(rows, labels=self.labels, actor=actor, reason=reason))
        except (DomainError, IntegrityError):
            # Something the checks could not foresee (a concurrent writer took a SKU,
            # or promised stock meanwhile): find the row by writing them one by one.
            results = [self._write_alone(row, actor=actor, reason=reason) for row in rows]
        for result in results:
            self._count(result)

    def _write_alone(self, row: ImportRow, *, actor: Any, reason: str) -> UpsertResult:
        try:
            with self._chunk_transaction() as results:
                results.append(upsert_rows([row], labels=self.labels, actor=actor, reason=reason))
            return results[0]
        except DomainError as exc:
            return UpsertResult(rejected=[RowError(row.line, domain_reason(exc))])
        except IntegrityError as exc:
            refusal = str(exc).split("\n", 1)[0]
            return UpsertResult(
                rejected=[RowError(row.line, f"Refused by the database: {refusal}")]
            )

    def _count(self, result: UpsertResult) -> None:
        for error in result.rejected:
            self.reject(error)
        for outcome in result.outcomes:
            if outcome is Outcome.CREATED:
                self.summary.created += 1
            elif outcome is Outcome.UPDATED:
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1


@contextmanager
def import_session(*, atomic: bool, on_error: ErrorSink, labels: Labels) -> Iterator[ImportSession]:
    """One import: chunks commit as they go, or — atomic — all together or not at all."""
    with ExitStack() as stack:
        if atomic:
            stack.enter_context(transaction.atomic())
        session = ImportSession(atomic=atomic, on_error=on_error, labels=labels)
        yield session
        if atomic and session.summary.failed:
            transaction.set_rollback(True)
            failed = session.summary.failed
            session.summary = ImportSummary(failed=failed, rolled_back=True)
        elif atomic and session.catalog_changed:
            transaction.on_commit(catalog_cache.bump_version)


def import_catalog(
    stream: IO[bytes],
    *,
    file_format: Format,
    atomic: bool = False,
    default_warehouse: str | None = None,
    actor: Any = None,
    reason: str = DEFAULT_REASON,
    chunk_size: int = CHUNK_SIZE,
    on_error: ErrorSink | None = None,
    on_progress: ProgressSink | None = None,
) -> ImportSummary:
    """Import products, variants and stock from a CSV or NDJSON stream (docs/api.md,
    "Bulk import"). Bad rows go to ``on_error`` with their line and reason; the good
    ones are written unless ``atomic``. Raises ImportFileInvalid when the file as a
    whole cannot be read."""
    references = References()
    if default_warehouse is not None and default_warehouse not in references.warehouses:
        raise ImportFileInvalid(f"No warehouse with slug {default_warehouse!r}.")
    labels = Labels(
        product_types=references.type_slugs,
        warehouses={pk: slug for slug, pk in references.warehouses.items()},
    )
    read = ReadProgress()
    raw_rows = read_rows(
        stream, file_format=file_format, default_warehouse=default_warehouse, progress=read
    )
    checked = map(RowValidator(references), raw_rows)
    with import_session(
        atomic=atomic, on_error=on_error or (lambda _: None), labels=labels
    ) as session:
        handled = 0
        for chunk in chunked(checked, chunk_size):
            good: list[ImportRow] = []
            for item in chunk:
                if isinstance(item, RowError):
                    session.reject(item)
                else:
                    good.append(item)
            if good and session.writing:
                session.write(good, actor=actor, reason=reason)
            handled += len(chunk)
            if on_progress is not None:
                on_progress(read.bytes_read, handled)
    return session.summary  # after the session closed: an atomic rollback resets it
