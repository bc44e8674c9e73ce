"""OpenTelemetry tracing, off unless ``NEXUS_TRACING_ENABLED`` is true.

When on, requests, database queries, cache and broker calls, outgoing HTTP (webhooks,
the payment provider) and Celery tasks become spans, exported over OTLP/HTTP to
``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``). The
standard ``OTEL_*`` variables apply: ``OTEL_SERVICE_NAME``, ``OTEL_TRACES_SAMPLER``
and its argument, ``OTEL_RESOURCE_ATTRIBUTES``, the exporter's headers and timeout.
Work handed over through the outbox (emails, webhooks after a checkout) starts a new
trace in the worker; the request id in both processes' log lines joins them, and log
lines written inside a span carry its ``trace_id``.
"""

import os
from typing import Any

from opentelemetry import trace

_configured = False


def tracing_enabled() -> bool:
    return os.environ.get("NEXUS_TRACING_ENABLED", "").lower() in {"1", "true", "yes", "on"}


def configure_tracing(default_service_name: str) -> bool:
    """Install the tracer provider and the instrumentations, once per process.

    Call it in the process that serves (after a fork: a batch exporter's thread does
    not survive one). Returns whether tracing is on.
    """
    global _configured  # noqa: PLW0603 — once per process, whoever calls first
    if _configured or not tracing_enabled():
        return _configured
    # Imported here: a shop without tracing never loads the SDK and instrumentations.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter,
    )
    from opentelemetry.instrumentation.celery import CeleryInstrumentor  # noqa: PLC0415
    from opentelemetry.instrumentation.django import DjangoInstrumentor  # noqa: PLC0415
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor  # noqa: PLC0415
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor  # noqa: PLC0415
    from opentelemetry.instrumentation.redis import RedisInstrumentor  # noqa: PLC0415
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource  # noqa: PLC0415
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415

    # OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES name the service; else the default.
    resource = Resource.create()
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: default_service_name}))
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    # /healthz, /readyz and /metrics are polled every few seconds: no spans for them.
    DjangoInstrumentor().instrument(excluded_urls="healthz,readyz,metrics")
    PsycopgInstrumentor().instrument()
    RedisInstrumentor().instrument()
    CeleryInstrumentor().instrument()  # type: ignore[no-untyped-call]
    HTTPXClientInstrumentor().instrument()
    _configured = True
    return True


def add_trace_ids(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: the current span's trace and span ids, when there is one."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event["trace_id"] = format(context.trace_id, "032x")
        event["span_id"] = format(context.span_id, "016x")
    return event
