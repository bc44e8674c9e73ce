"""Reads of export jobs, scoped to the kinds the caller may export."""

from collections.abc import Collection

from django.db.models import QuerySet

from nexus.exports.errors import ExportJobNotFound
from nexus.exports.models import ExportJob


def export_job_list(*, kinds: Collection[str]) -> QuerySet[ExportJob]:
    """Jobs of the given kinds only: someone who may not see orders does not learn
    of order exports either."""
    return ExportJob.objects.filter(kind__in=list(kinds)).select_related("requested_by")


def export_job_get(*, job_id: int, kinds: Collection[str]) -> ExportJob:
    job = export_job_list(kinds=kinds).filter(pk=job_id).first()
    if job is None:
        raise ExportJobNotFound()
    return job
