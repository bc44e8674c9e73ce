"""The OpenAPI schema states what the views check, so that a client (or a fuzzer) that
follows it is not refused, and one that does not is. Each case was found by the
fuzzing gate (tests/e2e/test_api_fuzz.py)."""

import base64
import re
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.exceptions import ErrorDetail

from nexus.api.rest.errors import flatten_field_errors
from nexus.api.rest.idempotency import HEADER
from nexus.api.rest.schema import NOT_BLANK
from tests.factories import AddressFactory

STAFF = "/api/v1/staff/"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return dict(SchemaGenerator().get_schema(request=None, public=True))


def component(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(schema["components"]["schemas"][name])


def operation(schema: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return dict(schema["paths"][path][method])


def parameter(schema: dict[str, Any], method: str, path: str, name: str) -> dict[str, Any]:
    found = [p for p in operation(schema, method, path)["parameters"] if p["name"] == name]
    assert found, f"{method} {path} has no parameter {name}"
    return dict(found[0])


def body_component(schema: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    ref = operation(schema, method, path)["requestBody"]["content"]["application/json"]["schema"]
    return component(schema, ref["$ref"].rsplit("/", 1)[1])


# --- request bodies --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/me/addresses/"),
        ("patch", "/api/v1/me/addresses/{address_id}/"),
        ("post", "/api/v1/checkout/"),
        ("post", "/api/v1/auth/token/"),
        ("post", f"{STAFF}products/"),
    ],
)
def test_bodies_that_refuse_unknown_fields_say_so(schema, method, path):
    assert body_component(schema, method, path)["additionalProperties"] is False


def test_a_patch_body_is_partial_only_where_the_view_says(schema):
    line = operation(schema, "patch", "/api/v1/carts/{token}/lines/{line_id}/")
    assert line["requestBody"]["required"] is True
    assert body_component(schema, "patch", "/api/v1/carts/{token}/lines/{line_id}/")[
        "required"
    ] == ["quantity"]
    address = body_component(schema, "patch", "/api/v1/me/addresses/{address_id}/")
    assert "required" not in address  # AddressInput(partial=True)


def test_ids_in_bodies_are_positive_64_bit_integers(schema):
    category = body_component(schema, "post", f"{STAFF}products/")["properties"]["category"]
    assert (category["minimum"], category["maximum"]) == (1, 2**63 - 1)


@pytest.mark.django_db
def test_text_that_may_not_be_blank_needs_a_character_besides_whitespace(
    schema, client_for, staff, catalog
):
    name = body_component(schema, "post", f"{STAFF}attributes/{{attribute_id}}/values/")
    pattern = name["properties"]["name"]["pattern"]
    assert pattern == NOT_BLANK
    # Whitespace as DRF trims it, which differs from what regex engines call \s.
    assert [c for c in map(chr, range(0x3001)) if not re.search(pattern, c)] == [
        c for c in map(chr, range(0x3001)) if c.isspace()
    ]
    response = client_for(staff).post(
        f"{STAFF}attributes/{catalog.color.pk}/values/",
        {"name": "\u0085", "slug": "green"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "blank"


def test_a_file_may_not_be_empty(schema):
    ref = operation(schema, "post", f"{STAFF}imports/")["requestBody"]["content"][
        "multipart/form-data"
    ]["schema"]["$ref"]
    upload = component(schema, ref.rsplit("/", 1)[1])["properties"]["file"]
    assert upload["minLength"] == 1


@pytest.mark.parametrize(
    ("text", "taken"),
    [
        ("19.99", True),
        ("0", True),
        ("1234567890.50", True),
        ("12345678901", False),
        ("1.234", False),
        ("-1", False),
        ("1e3", False),
        ("", False),
        (".5", False),
    ],
)
def test_a_price_pattern_takes_what_the_server_takes(schema, text, taken):
    pattern = body_component(schema, "post", f"{STAFF}products/{{product_id}}/variants/")[
        "properties"
    ]["price"]["pattern"]
    assert bool(re.fullmatch(pattern, text)) is taken


# --- parameters ---------------------------------------------------------------------------


def test_page_size_states_its_bounds_everywhere(schema):
    sizes = [
        p["schema"]
        for path in schema["paths"].values()
        for method in path.values()
        for p in method.get("parameters", ())
        if p["name"] == "page_size"
    ]
    assert sizes
    assert all((s["minimum"], s["maximum"]) == (1, 100) for s in sizes)


@pytest.mark.django_db
def test_a_cursor_the_api_did_not_hand_out_has_its_own_code(client_for, customer):
    AddressFactory.create_batch(2, user=customer)
    for cursor in ("garbage", base64.b64encode(b"p=abc").decode()):
        response = client_for(customer).get("/api/v1/me/addresses/", {"cursor": cursor})
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"field": "cursor", "code": "invalid_cursor", "detail": "Invalid cursor."}
        ]


@pytest.mark.parametrize(("key", "taken"), [("order-1", True), ("a b", False), ("x" * 256, False)])
def test_the_idempotency_key_pattern_is_the_one_checked(schema, key, taken):
    pattern = parameter(schema, "post", "/api/v1/checkout/", HEADER)["schema"]["pattern"]
    assert bool(re.fullmatch(pattern, key)) is taken


def test_attribute_filters_are_described_not_a_parameter_named_attr_slug(schema):
    products = operation(schema, "get", "/api/v1/products/")
    assert "attr.<slug>" not in {p["name"] for p in products["parameters"]}
    assert "attr.color=red,blue" in products["description"]


# --- list filters ----------------------------------------------------------------------------


def test_filters_state_what_django_filter_takes(schema):
    customers = f"{STAFF}customers/"
    is_active = parameter(schema, "get", customers, "is_active")
    assert is_active["schema"]["type"] == "string"
    assert set(is_active["schema"]["enum"]) == {"true", "false"}
    assert is_active["allowEmptyValue"] is True  # an empty value is no filter
    customer = parameter(schema, "get", f"{STAFF}orders/", "customer")["schema"]
    assert customer["maxLength"] == 254
    min_total = parameter(schema, "get", f"{STAFF}orders/", "min_total")["schema"]
    assert min_total["maximum"] == 1e50


@pytest.mark.django_db
def test_filters_answer_as_the_schema_says(client_for, staff):
    client = client_for(staff)
    assert client.get(f"{STAFF}customers/", {"joined_after": ""}).status_code == 200
    assert client.get(f"{STAFF}customers/", {"is_active": "2"}).status_code == 400
    unknown = client.get(f"{STAFF}products/", {"category": "999999"})
    assert unknown.json()["errors"] == [
        {"field": "category", "code": "does_not_exist", "detail": "No such object."}
    ]


@pytest.mark.django_db
def test_a_date_out_of_range_has_a_code(client_for, staff):
    # Its code was null, which the Problem schema does not allow.
    response = client_for(staff).get(f"{STAFF}customers/", {"joined_after": "0200-01-27T04:25Z"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "date_out_of_range"


def test_an_error_without_a_code_is_invalid():
    # As django-filter passes on a form error raised without one.
    errors = flatten_field_errors({"when": [ErrorDetail("Bad.", code=None)]})
    assert errors == [{"field": "when", "code": "invalid", "detail": "Bad."}]
