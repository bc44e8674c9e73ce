from nexus.core.errors import ValidationFailed


class ReportRangeInvalid(ValidationFailed):
    code = "report_range_invalid"
    default_message = "The report's dates do not make a range it can cover."
