from nexus.core.errors import Conflict, NotFound


class ExportJobNotFound(NotFound):
    code = "export_job_not_found"
    default_message = "No such export job."


class ExportNotReady(Conflict):
    code = "export_not_ready"
    default_message = "The export job has not finished writing its file."


class ExportJobBusy(Conflict):
    code = "export_job_busy"
    default_message = (
        "The export job is queued or running; it can be re-run once it failed or stalled."
    )
