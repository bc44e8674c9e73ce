"""The REST API's single error map: every failure becomes problem+json.

Domain errors, DRF's exceptions, Django's 404/403 and anything unexpected all
leave through ``problem_exception_handler``; nothing from outside gets a stack
trace. The Django-level handlers at the bottom cover requests that never reach a
DRF view (unknown URLs, CSRF failures, bad Host headers).
"""

from typing import Any

import structlog
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import exceptions as drf
from rest_framework.views import set_rollback

from nexus.api.rest.problems import FieldError, problem_response
from nexus.core import errors as domain

logger = structlog.get_logger(__name__)

_DOMAIN_STATUS: list[tuple[type[domain.DomainError], int]] = [
    (domain.ValidationFailed, 400),
    (domain.Unauthenticated, 401),
    (domain.Forbidden, 403),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.ServiceUnavailable, 503),
    (domain.DomainError, 422),
]

# DRF codes that read better under a more specific name on the wire.
_DRF_CODES = {
    drf.ValidationError: "invalid",
    drf.ParseError: "malformed_request",
    drf.NotAuthenticated: "not_authenticated",
    drf.AuthenticationFailed: "authentication_failed",
    drf.PermissionDenied: "permission_denied",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "throttled",
}


def flatten_field_errors(detail: Any, prefix: str = "") -> list[FieldError]:
    """DRF's nested error detail as a flat list: ``lines.0.quantity`` style paths."""
    if isinstance(detail, dict):
        out: list[FieldError] = []
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten_field_errors(value, path))
        return out
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            field = prefix or "non_field_errors"
            return [FieldError(field=field, code=_code(item), detail=str(item)) for item in detail]
        out = []
        for index, item in enumerate(detail):
            out.extend(flatten_field_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return [FieldError(field=prefix or "non_field_errors", code=_code(detail), detail=str(detail))]


def _code(detail: Any) -> str:
    """An error's code; Django's form errors may have none (``code=None``)."""
    return getattr(detail, "code", None) or "invalid"


def _domain_status(exc: domain.DomainError) -> int:
    return next(status for cls, status in _DOMAIN_STATUS if isinstance(exc, cls))


def _api_exception_code(exc: drf.APIException) -> str:
    """The exception's own code, unless it is a plain DRF default we rename."""
    codes = exc.get_codes()
    if isinstance(codes, dict) and not isinstance(exc, drf.ValidationError):
        codes = codes.get("code")  # simplejwt nests its code beside the message
    if isinstance(codes, str):
        if type(exc) in _DRF_CODES and codes == exc.default_code:
            return _DRF_CODES[type(exc)]
        return codes
    return _DRF_CODES.get(type(exc), str(exc.default_code))


def _api_exception_detail(exc: drf.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict) and "detail" in detail:
        return str(detail["detail"])  # simplejwt nests its message
    if isinstance(detail, str):
        return detail
    return "The input is not valid."


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse:
    request = context.get("request")
    django_request = getattr(request, "_request", request)

    if isinstance(exc, domain.DomainError):
        set_rollback()
        errors = [
            FieldError(field=field, code=exc.code, detail=message)
            for field, messages in exc.field_errors.items()
            for message in messages
        ]
        return problem_response(
            status=_domain_status(exc),
            code=exc.code,
            detail=exc.message,
            request=django_request,
            errors=errors,
        )

    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    if isinstance(exc, drf.APIException):
        set_rollback()
        headers: dict[str, str] = {}
        # DRF's APIView has already chosen 401 (with this header) or 403 for auth failures.
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        wait = getattr(exc, "wait", None)  # set on Throttled, rounded up by DRF
        if isinstance(exc, drf.Throttled) and wait is not None:
            headers["Retry-After"] = str(int(wait))
        is_validation = isinstance(exc, drf.ValidationError)
        return problem_response(
            status=exc.status_code,
            code=_api_exception_code(exc),
            detail=_api_exception_detail(exc),
            request=django_request,
            errors=flatten_field_errors(exc.detail) if is_validation else None,
            headers=headers,
        )

    set_rollback()
    logger.error("unhandled_exception", exc_info=exc)
    return problem_response(
        status=500,
        code="internal_error",
        detail="An unexpected error occurred. It has been logged; quote the request id.",
        request=django_request,
    )


# --- Django-level handlers (config.urls: handler400/403/404/500) -----------------


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(
        status=400, code="bad_request", detail="The request is malformed.", request=request
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(
        status=403,
        code="permission_denied",
        detail="You do not have permission to do this.",
        request=request,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return problem_response(
        status=403, code="csrf_failed", detail=f"CSRF check failed: {reason}", request=request
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(
        status=404, code="not_found", detail="No such resource.", request=request
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return problem_response(
        status=500,
        code="internal_error",
        detail="An unexpected error occurred. It has been logged; quote the request id.",
        request=request,
    )
