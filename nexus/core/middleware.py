"""Request context: a request id on every request, its log lines and its response."""

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import django_prometheus.middleware
import structlog
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# An id from outside is trusted only if it looks like one: it is copied into every
# log line and a response header, so it must not carry newlines or be unbounded.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

logger = structlog.get_logger("nexus.request")


def request_id_from(request: HttpRequest) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if _VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Binds a request id to the logging context, echoes it, logs the request once.

    Written here rather than taken from django-structlog because that one neither
    validates an incoming id nor returns it to the client, and it reads the user
    before DRF has authenticated the JWT.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            user = getattr(request, "user", None)
            logger.info(
                "request_finished",
                method=request.method,
                path=request.path,
                status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                user_id=user.pk if user is not None and user.is_authenticated else None,
            )
            return response
        finally:
            structlog.contextvars.clear_contextvars()


class PrometheusAfterMiddleware(django_prometheus.middleware.PrometheusAfterMiddleware):
    """django-prometheus's, with the method label bounded everywhere.

    Its latency histogram takes the request's method as sent; any word a client
    sends would become a new time series (the other metrics map unknown ones).
    """

    def label_metric(
        self, metric: Any, request: HttpRequest, response: object = None, **labels: str
    ) -> Any:
        if "method" in labels:
            labels["method"] = self._method(request)
        return super().label_metric(metric, request, response, **labels)
