import orjson
import pytest
from rest_framework import exceptions as drf
from rest_framework.exceptions import ErrorDetail

from nexus.api.rest.errors import flatten_field_errors, problem_exception_handler
from nexus.core import errors as domain


def test_nested_errors_flatten_to_dotted_paths():
    detail = {
        "email": [ErrorDetail("Enter a valid email address.", code="invalid")],
        "lines": [
            {},
            {"quantity": [ErrorDetail("Must be positive.", code="min_value")]},
        ],
        "non_field_errors": [ErrorDetail("Nope.", code="invalid")],
    }
    assert flatten_field_errors(detail) == [
        {"field": "email", "code": "invalid", "detail": "Enter a valid email address."},
        {"field": "lines.1.quantity", "code": "min_value", "detail": "Must be positive."},
        {"field": "non_field_errors", "code": "invalid", "detail": "Nope."},
    ]


def test_a_bare_list_of_errors_is_non_field():
    assert flatten_field_errors([ErrorDetail("Bad.", code="x")]) == [
        {"field": "non_field_errors", "code": "x", "detail": "Bad."}
    ]


class _OutOfStock(domain.DomainError):
    code = "out_of_stock"


class _TakenSlug(domain.Conflict):
    code = "slug_taken"


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (domain.ValidationFailed(), 400, "invalid"),
        (domain.Forbidden(), 403, "forbidden"),
        (domain.NotFound(), 404, "not_found"),
        (_TakenSlug(), 409, "slug_taken"),
        (_OutOfStock("Only 2 left."), 422, "out_of_stock"),
        (drf.ParseError(), 400, "malformed_request"),
        (drf.MethodNotAllowed("DELETE"), 405, "method_not_allowed"),
        (drf.Throttled(wait=3), 429, "throttled"),
        (drf.NotFound("Gone", code="page_gone"), 404, "page_gone"),
    ],
)
def test_each_error_maps_to_one_status_and_code(exc, status, code):
    response = problem_exception_handler(exc, {})
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = orjson.loads(response.content)
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"] == f"urn:nexus-commerce:problem:{code}"


def test_domain_field_errors_carry_the_domain_code():
    exc = domain.ValidationFailed("Bad address.", field_errors={"country": ["Unknown country."]})
    body = orjson.loads(problem_exception_handler(exc, {}).content)
    assert body["detail"] == "Bad address."
    assert body["errors"] == [{"field": "country", "code": "invalid", "detail": "Unknown country."}]


def test_throttled_sets_retry_after():
    response = problem_exception_handler(drf.Throttled(wait=7.4), {})
    assert response["Retry-After"] == "8"  # rounded up: never invite an early retry
