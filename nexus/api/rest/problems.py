"""RFC 9457 problem details: the one error shape of the REST API."""

from http import HTTPStatus
from typing import Any, TypedDict

from django.http import HttpRequest, HttpResponse

from nexus.api.rest.renderers import dumps

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:nexus-commerce:problem:"


class FieldError(TypedDict):
    field: str
    code: str
    detail: str


def problem_response(
    *,
    status: int,
    code: str,
    detail: str,
    request: HttpRequest | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"{PROBLEM_TYPE_PREFIX}{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if request is not None:
        body["instance"] = request.path
        request_id = getattr(request, "request_id", None)
        if request_id:
            body["request_id"] = request_id
    if errors:
        body["errors"] = errors
    return HttpResponse(
        dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE, headers=headers
    )
