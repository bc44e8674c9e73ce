"""Writes of export jobs: start one, run it (in a worker), re-run one that died.

Running is idempotent: a job writes only its own file name, deleting what an earlier
attempt left there first, and a job is claimed with one conditional UPDATE, so a
redelivered task does not run beside a live one.
"""

import functools
import io
from collections.abc import Generator, Iterator, Mapping
from contextlib import closing
from datetime import timedelta
from enum import StrEnum

import structlog
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from nexus.accounts.models import User
from nexus.exports import scopes
from nexus.exports.encoders import export_chunks
from nexus.exports.errors import ExportJobBusy, ExportNotReady
from nexus.exports.models import ExportJob

logger = structlog.get_logger(__name__)

Status = ExportJob.Status

# A running job touches heartbeat_at after every chunk (well under a second apart);
# one silent for this long lost its worker and may be run again.
STALE_AFTER = timedelta(minutes=5)


class RunOutcome(StrEnum):
    DONE = "done"
    FAILED = "failed"
    BUSY = "busy"  # another worker holds it and is alive
    SKIPPED = "skipped"  # already finished (a redelivered message)


def _enqueue(job_id: int) -> None:
    from nexus.exports.tasks import run_export_job  # noqa: PLC0415 — tasks imports this module

    run_export_job.delay(job_id=job_id)


def export_job_start(
    *, kind: str, export_format: str, filters: Mapping[str, str], requested_by: User | None
) -> ExportJob:
    """A queued job; its task is sent once the job row is committed (in embedded mode,
    where tasks are eager, it runs right then, in this process)."""
    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=kind, format=export_format, filters=dict(filters), requested_by=requested_by
        )
        transaction.on_commit(functools.partial(_enqueue, job.pk), robust=True)
    return job


def export_job_rerun(*, job: ExportJob) -> ExportJob:
    """Queue a failed job again, or one whose worker went silent (killed, lost
    message); a live or finished job is left alone (409)."""
    stale = timezone.now() - STALE_AFTER
    with transaction.atomic():
        requeued = (
            ExportJob.objects.filter(pk=job.pk)
            .annotate(last_seen=Coalesce("heartbeat_at", "created_at"))
            .filter(
                Q(status=Status.FAILED)
                | Q(status__in=(Status.QUEUED, Status.RUNNING), last_seen__lt=stale)
            )
            .update(status=Status.QUEUED, heartbeat_at=None, error="")
        )
        if not requeued:
            raise ExportJobBusy()
        transaction.on_commit(functools.partial(_enqueue, job.pk), robust=True)
    job.refresh_from_db()
    return job


def _claim(job_id: int) -> bool:
    now = timezone.now()
    claimed = (
        ExportJob.objects.filter(pk=job_id)
        .filter(
            Q(status=Status.QUEUED) | Q(status=Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        )
        .update(
            status=Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            rows_written=0,
            rows_total=None,
            progress=0,
            error="",
        )
    )
    return bool(claimed)


class _ChunkReader(io.RawIOBase):
    """A read-only file over byte chunks, so that storage pulls the export piece by
    piece (``Storage.save`` reads its content in blocks) instead of receiving it whole."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target: "memoryview | bytearray") -> int:  # type: ignore[override]
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        size = min(len(target), len(self._pending))
        target[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _with_progress(
    job_id: int, total: int, chunks: Generator[tuple[bytes, int]]
) -> Generator[bytes]:
    written = 0
    with closing(chunks):
        for data, records in chunks:
            if records:
                written += records
                ExportJob.objects.filter(pk=job_id).update(
                    rows_written=written,
                    progress=min(99, written * 100 // max(total, 1)),
                    heartbeat_at=timezone.now(),
                )
            yield data


def export_file_name(job: ExportJob) -> str:
    """The job's own name in storage: the same on every attempt, so a re-run
    replaces its file rather than leaving copies behind."""
    return f"exports/export-job-{job.pk}.{job.format}"


def export_job_run(*, job_id: int) -> RunOutcome:
    """Write the job's export to ``default_storage``, chunk by chunk, recording
    progress after each chunk; any error is recorded on the job.

    Runs in autocommit, so progress is visible to others as it happens; the
    server-side cursor is then declared WITH HOLD and PostgreSQL keeps the result
    on its side, while this process holds one chunk at a time.
    """
    if not _claim(job_id):
        job = ExportJob.objects.filter(pk=job_id).first()
        if job is not None and job.status == Status.RUNNING:
            return RunOutcome.BUSY
        return RunOutcome.SKIPPED
    job = ExportJob.objects.get(pk=job_id)
    name = export_file_name(job)
    try:
        queryset = scopes.scope_resolve(kind=job.kind, filters=job.filters)
        total = queryset.count()
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
        chunks = export_chunks(kind=job.kind, export_format=job.format, queryset=queryset)
        default_storage.delete(name)
        saved = default_storage.save(
            name,
            File(io.BufferedReader(_ChunkReader(_with_progress(job.pk, total, chunks))), name=name),
        )
    except Exception as exc:
        logger.exception("export_job_failed", job_id=job.pk, kind=job.kind)
        default_storage.delete(name)
        ExportJob.objects.filter(pk=job.pk).update(
            status=Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return RunOutcome.FAILED
    ExportJob.objects.filter(pk=job.pk).update(
        status=Status.DONE,
        file_name=saved,
        progress=100,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    return RunOutcome.DONE


def export_job_open(*, job: ExportJob) -> File[bytes]:
    """The finished file, opened for reading; a job still writing is a 409."""
    if job.status != Status.DONE or not job.file_name:
        raise ExportNotReady()
    return default_storage.open(job.file_name, "rb")
