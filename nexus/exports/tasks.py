from typing import Any

from celery import shared_task

from nexus.exports import services
from nexus.exports.services import STALE_AFTER, RunOutcome


# Under RabbitMQ's consumer_timeout (30 min by default), which would close the channel
# of a task acknowledged late; the settings' 60 s default is for short tasks.
@shared_task(bind=True, soft_time_limit=25 * 60, time_limit=26 * 60, max_retries=3)
def run_export_job(self: Any, *, job_id: int) -> str:
    """Write one export job's file. Redelivered while another worker still runs it,
    it waits until that one either finishes or goes stale."""
    outcome = services.export_job_run(job_id=job_id)
    if outcome == RunOutcome.BUSY:
        raise self.retry(countdown=STALE_AFTER.total_seconds())
    return outcome.value
