from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from nexus.imports import services

# A large file takes minutes, not the default task limit of a minute.
IMPORT_SOFT_TIME_LIMIT = 3600


@shared_task(
    autoretry_for=(OperationalError,),  # a lost connection: the re-run is idempotent
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_SOFT_TIME_LIMIT + 60,
)
def run_import_job(job_id: int) -> None:
    """Run an uploaded import; chunks committed before a crash stay, and a re-run
    finds them unchanged."""
    try:
        services.import_job_run(job_id=job_id)
    except SoftTimeLimitExceeded:
        services.import_job_fail(job_id=job_id, detail="The import took too long.")
        raise
