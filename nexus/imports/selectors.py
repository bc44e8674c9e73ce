from django.db.models import QuerySet

from nexus.imports.errors import ImportErrorReportNotFound, ImportJobNotFound
from nexus.imports.models import ImportJob


def import_job_list() -> QuerySet[ImportJob]:
    return ImportJob.objects.select_related("requested_by")


def import_job_get(*, job_id: int) -> ImportJob:
    try:
        return import_job_list().get(pk=job_id)
    except ImportJob.DoesNotExist as exc:
        raise ImportJobNotFound() from exc


def import_job_error_report(*, job_id: int) -> ImportJob:
    """The job, when it has an error report to download."""
    job = import_job_get(job_id=job_id)
    if not job.error_report:
        raise ImportErrorReportNotFound()
    return job
