"""Import jobs: an uploaded file stored through Django's storage API, imported by a
Celery task after the job's row is committed."""

import csv
import io
import tempfile
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from nexus.imports.errors import ImportFileInvalid
from nexus.imports.formats import RowError
from nexus.imports.models import ImportJob
from nexus.imports.pipeline import import_catalog

# Write the job's progress at most this often (percent points), not once per chunk.
PROGRESS_STEP = 1


def import_job_create(
    *,
    upload: File[Any],
    file_format: str,
    atomic: bool = False,
    warehouse: str = "",
    requested_by: Any,
) -> ImportJob:
    """Store the upload and queue its import; the job runs once this commits."""
    with transaction.atomic():
        job = ImportJob(
            file_format=file_format,
            original_name=str(upload.name or "")[:255],
            atomic=atomic,
            warehouse=warehouse,
            requested_by=requested_by,
        )
        job.file.save(f"import-{timezone.now():%Y%m%d-%H%M%S}.{file_format}", upload, save=False)
        job.save()
        transaction.on_commit(lambda: _run_later(job.pk), robust=True)
    return job


def _run_later(job_id: int) -> None:
    # Imported here: the task module imports this one to call import_job_run.
    from nexus.imports.tasks import run_import_job  # noqa: PLC0415

    run_import_job.delay(job_id)


def import_job_run(*, job_id: int) -> ImportJob:
    """Import the job's file. Safe to run again (a redelivered task): the import is
    keyed by slug and SKU, so rows written the first time come out unchanged."""
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.RUNNING, started_at=timezone.now())
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job  # finished already
    size = max(job.file.size, 1)
    last_percent = -PROGRESS_STEP

    def progress(bytes_read: int, rows: int) -> None:
        nonlocal last_percent
        percent = min(100, bytes_read * 100 // size)
        if percent - last_percent >= PROGRESS_STEP and not job.atomic:
            # Atomic imports run in one transaction: their progress shows at the end.
            ImportJob.objects.filter(pk=job_id).update(progress=percent, rows_handled=rows)
            last_percent = percent

    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as report:
        writer = csv.writer(report)
        writer.writerow(["line", "reason"])

        def record(error: RowError) -> None:
            writer.writerow([error.line, error.reason])

        try:
            with job.file.open("rb") as stream:
                summary = import_catalog(
                    stream,
                    file_format=job.file_format,  # type: ignore[arg-type]
                    atomic=job.atomic,
                    default_warehouse=job.warehouse or None,
                    actor=job.requested_by,
                    reason=f"Import {job.pk}",
                    on_error=record,
                    on_progress=progress,
                )
        except ImportFileInvalid as exc:
            job.status, job.detail, job.finished_at = (
                ImportJob.Status.FAILED,
                exc.message,
                timezone.now(),
            )
            job.save(update_fields=["status", "detail", "finished_at"])
            return job
        if summary.failed:
            report.seek(0)
            content = io.BytesIO(report.read().encode("utf-8"))
            job.error_report.save(f"import-{job.pk}-errors.csv", File(content), save=False)
    job.status = ImportJob.Status.DONE
    job.created, job.updated = summary.created, summary.updated
    job.unchanged, job.failed = summary.unchanged, summary.failed
    job.rolled_back = summary.rolled_back
    job.rows_handled, job.progress = summary.rows, 100
    job.finished_at = timezone.now()
    job.save()
    return job


def import_job_fail(*, job_id: int, detail: str) -> None:
    """Mark a job that crashed (the task's last resort), unless it finished."""
    ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.FAILED, detail=detail, finished_at=timezone.now())
