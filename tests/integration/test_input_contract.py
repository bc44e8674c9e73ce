"""Inputs take what the OpenAPI schema says, and refusals that no schema could state
carry a code naming the rule. Each case here was found by the fuzzing gate
(tests/e2e/test_api_fuzz.py)."""

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework_simplejwt.tokens import RefreshToken

from nexus.catalog.models import ProductVariant
from nexus.inventory.models import Warehouse

pytestmark = pytest.mark.django_db

STAFF = "/api/v1/staff/"


@pytest.fixture
def staff_api(client_for, staff):
    return client_for(staff)


def problem(response, status):
    assert response.status_code == status, response.content
    return response.json()


def field_codes(response, status=400):
    return {(error["field"], error["code"]) for error in problem(response, status)["errors"]}


# --- decimal strings -----------------------------------------------------------------


@pytest.mark.parametrize(
    "price",
    [
        "1e3",  # Decimal reads it; the schema's pattern does not allow it
        " 5",
        "5 ",
        "\u0663",  # ARABIC-INDIC DIGIT THREE: a digit to Python, not to the pattern
        ".5",
        "5.",
        "0000000000001",  # 13 digits: more than the 10 whole digits the pattern takes
        "-0",  # the price takes no sign
        "",
    ],
)
def test_a_price_is_a_plain_decimal_string(staff_api, catalog, price):
    response = staff_api.post(
        f"{STAFF}products/{catalog.speaker.pk}/variants/",
        {"sku": "SPK-9", "price": price},
        format="json",
    )
    assert field_codes(response) == {("price", "invalid")}
    assert not ProductVariant.objects.filter(sku="SPK-9").exists()


@pytest.mark.parametrize(
    ("price", "code"),
    [("-1.00", "min_value"), ("1.234", "max_decimal_places"), ("12345678901", "max_whole_digits")],
)
def test_a_price_out_of_range_keeps_its_precise_code(staff_api, catalog, price, code):
    response = staff_api.post(
        f"{STAFF}products/{catalog.speaker.pk}/variants/",
        {"sku": "SPK-9", "price": price},
        format="json",
    )
    assert field_codes(response) == {("price", code)}


def test_an_empty_compare_at_price_is_refused_not_read_as_null(staff_api, catalog):
    variant = catalog.speaker.variants.first()
    response = staff_api.patch(
        f"{STAFF}variants/{variant.pk}/", {"compare_at_price": ""}, format="json"
    )
    assert field_codes(response) == {("compare_at_price", "invalid")}
    nulled = staff_api.patch(
        f"{STAFF}variants/{variant.pk}/", {"compare_at_price": None}, format="json"
    )
    assert nulled.status_code == 200, nulled.content


@pytest.mark.parametrize("value", ["", "1e3", "-1"])
def test_price_filters_are_plain_decimals(api, catalog, value):
    response = api.get("/api/v1/products/", {"min_price": value})
    assert field_codes(response) == {("min_price", "min_value" if value == "-1" else "invalid")}


# --- JSON types ------------------------------------------------------------------------


@pytest.mark.parametrize("cart", [False, 5, 0])
def test_a_cart_token_is_a_string_not_a_number(api, cart):
    # DRF's UUIDField made a UUID of an integer, and of false (an integer to Python).
    response = api.post("/api/v1/checkout/summary/", {"cart": cart, "country": "DE"}, format="json")
    assert field_codes(response) == {("cart", "invalid")}


def test_a_payment_confirmation_checks_its_body(client_for, customer):
    response = client_for(customer).post(
        "/api/v1/orders/NOSUCHORDER/payments/1/confirm/", {"cart": False}, format="json"
    )
    assert field_codes(response) == {("cart", "invalid")}


def test_a_warehouse_slug_is_a_string(staff_api):
    response = staff_api.post(f"{STAFF}warehouses/", {"name": "North", "slug": 7}, format="json")
    assert field_codes(response) == {("slug", "invalid")}
    assert not Warehouse.objects.filter(name="North").exists()


def test_a_maximum_length_counts_the_text_as_sent(client_for, customer):
    # DRF trimmed the newline first, so 201 characters passed a limit of 200.
    address = {
        "first_name": "A",
        "last_name": "B",
        "line1": "1",
        "city": "Berlin",
        "country": "DE",
        "company": "\n" + "x" * 200,
    }
    response = client_for(customer).post("/api/v1/me/addresses/", address, format="json")
    assert field_codes(response) == {("company", "max_length")}
    address["company"] = " " + "x" * 199
    created = client_for(customer).post("/api/v1/me/addresses/", address, format="json")
    assert created.status_code == 201
    assert created.json()["company"] == "x" * 199


@pytest.mark.parametrize("brand", ["acme, zenith", "acme,,zenith", "\x90", "Acme"])
def test_brands_are_comma_separated_slugs(api, catalog, brand):
    response = api.get("/api/v1/products/", {"brand": brand})
    assert field_codes(response) == {("brand", "invalid")}


def test_brands_filter_as_before(api, catalog):
    response = api.get("/api/v1/products/", {"brand": "acme,zenith"})
    assert response.status_code == 200
    assert response.json()["results"]


# --- multipart forms ---------------------------------------------------------------------


def csv_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("catalog.csv", b"slug,name\n", content_type="text/csv")


@pytest.mark.parametrize("atomic", ["0", "1", "yes", "on", "True"])
def test_an_import_form_takes_true_or_false(staff_api, atomic):
    response = staff_api.post(
        f"{STAFF}imports/", {"file": csv_upload(), "atomic": atomic}, format="multipart"
    )
    assert field_codes(response) == {("atomic", "invalid")}


def test_empty_import_options_mean_not_given(staff_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = staff_api.post(
            f"{STAFF}imports/",
            {"file": csv_upload(), "format": "", "warehouse": "", "atomic": "true"},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["file_format"], job["warehouse"], job["atomic"]) == ("csv", "", True)


# --- rules no schema can state, each with its own code ---------------------------------------


def test_checkout_wants_an_address_or_its_id_not_both(client_for, customer):
    address = {"first_name": "A", "last_name": "B", "line1": "1", "city": "X", "country": "DE"}
    body = {"cart": str(uuid.uuid4()), "shipping_address": address, "shipping_address_id": 1}
    both = client_for(customer).post("/api/v1/checkout/", body, format="json")
    assert field_codes(both) == {("shipping_address", "choose_one")}
    neither = client_for(customer).post(
        "/api/v1/checkout/", {"cart": str(uuid.uuid4())}, format="json"
    )
    assert field_codes(neither) == {("shipping_address", "address_required")}


@pytest.mark.parametrize("change", [{"delta": 1, "set_to": 1}, {}])
def test_a_stock_adjustment_wants_delta_or_set_to(staff_api, catalog, change):
    body = {
        "variant": catalog.speaker.variants.first().pk,
        "warehouse": catalog.warehouse.pk,
        "reason": "Recount",
        **change,
    }
    response = staff_api.post(f"{STAFF}stock/adjustments/", body, format="json")
    assert field_codes(response) == {("delta", "choose_one")}


def test_attribute_values_need_slugs_of_their_own(staff_api):
    values = [{"name": "Slim", "slug": "slim"}, {"name": "Slim 2", "slug": "slim"}]
    response = staff_api.post(
        f"{STAFF}attributes/", {"name": "Fit", "slug": "fit", "values": values}, format="json"
    )
    assert field_codes(response) == {("values", "duplicate_slug")}


def test_product_filters_that_contradict_each_other(api, catalog):
    prices = api.get("/api/v1/products/", {"min_price": "10", "max_price": "5"})
    assert field_codes(prices) == {("max_price", "price_range")}
    relevance = api.get("/api/v1/products/", {"ordering": "relevance"})
    assert field_codes(relevance) == {("ordering", "search_required")}


def test_an_import_whose_format_cannot_be_told(staff_api):
    upload = SimpleUploadedFile("catalog.bin", b"slug\n", content_type="application/octet-stream")
    response = staff_api.post(f"{STAFF}imports/", {"file": upload}, format="multipart")
    assert field_codes(response) == {("file", "format_unknown")}


def test_a_webhook_url_django_cannot_use_is_refused_as_such(client_for, staff):
    # Valid as a URI; but a host label is longer than DNS allows.
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="webhooks"))
    url = "https://" + "a" * 64 + ".example.com/hook"
    response = client_for(staff).post(
        f"{STAFF}webhooks/", {"url": url, "event_types": ["order.placed"]}, format="json"
    )
    assert field_codes(response) == {("url", "webhook_url_refused")}


def test_logout_with_a_token_that_is_not_one_names_it(client_for, customer, other_customer):
    client = client_for(customer)
    garbage = client.post("/api/v1/auth/logout/", {"refresh": "garbage"}, format="json")
    assert field_codes(garbage) == {("refresh", "token_not_valid")}
    theirs = str(RefreshToken.for_user(other_customer))
    someone_elses = client.post("/api/v1/auth/logout/", {"refresh": theirs}, format="json")
    assert field_codes(someone_elses) == {("refresh", "token_not_valid")}


@pytest.mark.parametrize(
    ("filters", "field"),
    [({"colour": "red"}, "filters.colour"), ({"placed_after": "soon"}, "filters.placed_after")],
)
def test_an_export_filter_the_kind_does_not_take(staff_api, filters, field):
    # Which filters there are, and what they take, depends on the export's kind.
    response = staff_api.post(
        f"{STAFF}exports/jobs/", {"kind": "orders", "filters": filters}, format="json"
    )
    assert field_codes(response) == {(field, "invalid_filter")}


def test_an_empty_string_is_not_a_null_id(staff_api):
    # DRF reads "" as null for a relation; the schema says an integer or null.
    response = staff_api.post(
        f"{STAFF}categories/", {"name": "Hats", "slug": "hats", "parent": ""}, format="json"
    )
    assert field_codes(response) == {("parent", "incorrect_type")}


def test_text_of_whitespace_as_python_trims_it_is_blank(staff_api):
    # U+001F is whitespace to Python's str.strip(), not to a regex engine's \s.
    response = staff_api.post(
        f"{STAFF}warehouses/", {"name": "\x1f", "slug": "north"}, format="json"
    )
    assert field_codes(response) == {("name", "blank")}
