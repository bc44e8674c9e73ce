"""Structured logging: JSON lines in production, readable console in development.

structlog and the standard library share one pipeline, so Django's own loggers,
third-party libraries and our ``structlog.get_logger()`` calls all come out in the
same format, each line carrying the context bound for the request (``request_id``).
"""

from typing import Any

import structlog
import structlog.tracebacks

from nexus.core.tracing import add_trace_ids

_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
    add_trace_ids,  # nothing unless tracing is on (nexus.core.tracing)
]


def configure_logging(log_format: str, level: str) -> dict[str, Any]:
    """Configure structlog and return the ``LOGGING`` dict for Django to apply."""
    if log_format not in {"json", "console"}:
        raise ValueError(f"LOG_FORMAT must be json or console, not {log_format!r}")
    renderer: Any
    # Tracebacks never carry frame locals: they would put passwords and tokens in
    # the logs (and rendering them can take seconds of CPU per error).
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
        exception_processors: list[Any] = [
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            )
        ]
    else:
        renderer = structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
        exception_processors = []

    structlog.configure(
        processors=[
            *_SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    *exception_processors,
                    renderer,
                ],
                "foreign_pre_chain": _SHARED_PROCESSORS,
            },
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "structured"},
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Our request middleware logs every request once, with its id; Django's
            # own per-request warnings would log 4xx responses a second time.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "ERROR"},
            "django.db.backends": {"level": "WARNING"},
        },
    }
