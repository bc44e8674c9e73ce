from nexus.core.errors import NotFound, ValidationFailed


class ImportFileInvalid(ValidationFailed):
    """The file as a whole cannot be read: an unknown or missing column, a bad option."""

    code = "import_file_invalid"
    default_message = "The import file cannot be read."


class ImportJobNotFound(NotFound):
    code = "import_job_not_found"
    default_message = "No such import job."


class ImportErrorReportNotFound(NotFound):
    code = "import_error_report_not_found"
    default_message = "The import has no error report (yet, or no row was bad)."
