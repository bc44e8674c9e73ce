"""The rest of the staff catalog over GraphQL: attributes and their values, product types
and product images, with the same permissions, input rules and services as REST's."""

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image
from rest_framework_simplejwt.tokens import RefreshToken

from nexus.accounts.models import User
from nexus.catalog import services
from nexus.catalog.models import (
    Attribute,
    AttributeValue,
    Product,
    ProductImage,
    ProductType,
)
from tests.graphql.client import data, error_codes, gql
from tests.graphql.staff_access import (
    DENIED,
    ROLES,
    assert_access,
    assert_no_masked_errors,
    query_counts,
    staff_lacking,
)

pytestmark = pytest.mark.django_db

ERRORS = "errors { code message field }"
VALUE_FIELDS = "id attribute attributeSlug name slug sortOrder"
ATTRIBUTE_FIELDS = f"id name slug values {{ {VALUE_FIELDS} }}"
TYPE_FIELDS = "id name slug productAttributes variantAttributes"
IMAGE_FIELDS = "id product variant url alt sortOrder"

ATTRIBUTES = f"""query($first: Int, $after: String) {{
  staffAttributes(first: $first, after: $after) {{
    edges {{ cursor node {{ {ATTRIBUTE_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
ATTRIBUTE = f"query($id: Int!) {{ staffAttribute(id: $id) {{ {ATTRIBUTE_FIELDS} }} }}"
ATTRIBUTE_CREATE = f"""mutation($input: StaffAttributeCreateInput!) {{
  staffAttributeCreate(input: $input) {{ attribute {{ {ATTRIBUTE_FIELDS} }} {ERRORS} }} }}"""
ATTRIBUTE_UPDATE = f"""mutation($id: Int!, $input: StaffAttributeUpdateInput!) {{
  staffAttributeUpdate(id: $id, input: $input) {{
    attribute {{ {ATTRIBUTE_FIELDS} }} {ERRORS} }} }}"""
ATTRIBUTE_DELETE = f"""mutation($id: Int!) {{
  staffAttributeDelete(id: $id) {{ deletedId {ERRORS} }} }}"""
VALUE_CREATE = f"""mutation($attributeId: Int!, $input: StaffAttributeValueCreateInput!) {{
  staffAttributeValueCreate(attributeId: $attributeId, input: $input) {{
    value {{ {VALUE_FIELDS} }} {ERRORS} }} }}"""

PRODUCT_TYPES = f"""query($first: Int, $after: String) {{
  staffProductTypes(first: $first, after: $after) {{
    edges {{ cursor node {{ {TYPE_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
PRODUCT_TYPE = f"query($id: Int!) {{ staffProductType(id: $id) {{ {TYPE_FIELDS} }} }}"
PRODUCT_TYPE_CREATE = f"""mutation($input: StaffProductTypeCreateInput!) {{
  staffProductTypeCreate(input: $input) {{ productType {{ {TYPE_FIELDS} }} {ERRORS} }} }}"""
PRODUCT_TYPE_UPDATE = f"""mutation($id: Int!, $input: StaffProductTypeUpdateInput!) {{
  staffProductTypeUpdate(id: $id, input: $input) {{
    productType {{ {TYPE_FIELDS} }} {ERRORS} }} }}"""
PRODUCT_TYPE_DELETE = f"""mutation($id: Int!) {{
  staffProductTypeDelete(id: $id) {{ deletedId {ERRORS} }} }}"""

IMAGE_CREATE = f"""mutation($productId: Int!, $input: StaffImageCreateInput!) {{
  staffImageCreate(productId: $productId, input: $input) {{
    image {{ {IMAGE_FIELDS} }} {ERRORS} }} }}"""
IMAGE_DELETE = f"mutation($id: Int!) {{ staffImageDelete(id: $id) {{ deletedId {ERRORS} }} }}"
PRODUCT_IMAGES = "query($id: Int!) { staffProduct(id: $id) { images { id alt } } }"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def png(name: str = "pixel.png") -> SimpleUploadedFile:
    """A real, tiny PNG made with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), color=(200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _headers(user: User | None) -> dict[str, str]:
    if user is None:
        return {}
    return {"HTTP_AUTHORIZATION": f"Bearer {RefreshToken.for_user(user).access_token}"}


def upload(
    document: str,
    variables: dict[str, Any],
    files: dict[str, Any],
    *,
    user: User | None = None,
    status: int = 200,
) -> dict[str, Any]:
    """Post as the GraphQL multipart request spec: ``operations`` (the files' places
    null), ``map`` (part name → where the file goes) and one part per file."""
    body: dict[str, Any] = {
        "operations": json.dumps({"query": document, "variables": variables}),
        "map": json.dumps({str(index): [path] for index, path in enumerate(files)}),
    }
    body.update({str(index): file for index, file in enumerate(files.values())})
    response = Client().post("/graphql/", body, **_headers(user))  # type: ignore[arg-type]
    assert response.status_code == status, response.content
    result: dict[str, Any] = response.json()
    return result


def upload_image(product_id: int, file: Any, *, user: User | None, **given: Any) -> dict[str, Any]:
    variables = {"productId": product_id, "input": {"image": None, **given}}
    return upload(IMAGE_CREATE, variables, {"variables.input.image": file}, user=user)


def snapshot() -> dict[str, int]:
    """What these operations can write, counted: equal before and after means nothing
    was saved."""
    counts = {
        model.__name__: model.objects.count()
        for model in (Attribute, AttributeValue, ProductType, Product, ProductImage)
    }
    counts["type attributes"] = ProductType.product_attributes.through.objects.count()
    counts["type variant attributes"] = ProductType.variant_attributes.through.objects.count()
    return counts


def _files(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def _unused_type() -> ProductType:
    return services.product_type_create(name="Unused", slug="unused")


def _image(catalog: Any) -> ProductImage:
    return services.image_create(product=catalog.speaker, image=png(), alt="Side")


# (field, document, variables from the catalog, the permission REST requires)
OPERATIONS = [
    ("staffAttributes", ATTRIBUTES, lambda c: {}, "catalog.view_attribute"),
    ("staffAttribute", ATTRIBUTE, lambda c: {"id": c.color.pk}, "catalog.view_attribute"),
    (
        "staffAttributeCreate",
        ATTRIBUTE_CREATE,
        lambda c: {"input": {"name": "Material", "slug": "material"}},
        "catalog.add_attribute",
    ),
    (
        "staffAttributeUpdate",
        ATTRIBUTE_UPDATE,
        lambda c: {"id": c.color.pk, "input": {"name": "Colour"}},
        "catalog.change_attribute",
    ),
    (
        "staffAttributeDelete",
        ATTRIBUTE_DELETE,
        lambda c: {"id": c.size.pk},
        "catalog.delete_attribute",
    ),
    (
        "staffAttributeValueCreate",
        VALUE_CREATE,
        lambda c: {"attributeId": c.color.pk, "input": {"name": "Green", "slug": "green"}},
        "catalog.add_attributevalue",
    ),
    ("staffProductTypes", PRODUCT_TYPES, lambda c: {}, "catalog.view_producttype"),
    (
        "staffProductType",
        PRODUCT_TYPE,
        lambda c: {"id": c.gadget.pk},
        "catalog.view_producttype",
    ),
    (
        "staffProductTypeCreate",
        PRODUCT_TYPE_CREATE,
        lambda c: {"input": {"name": "Book", "slug": "book"}},
        "catalog.add_producttype",
    ),
    (
        "staffProductTypeUpdate",
        PRODUCT_TYPE_UPDATE,
        lambda c: {"id": c.gadget.pk, "input": {"name": "Gadgets"}},
        "catalog.change_producttype",
    ),
    (
        "staffProductTypeDelete",
        PRODUCT_TYPE_DELETE,
        lambda c: {"id": _unused_type().pk},
        "catalog.delete_producttype",
    ),
    (
        "staffImageDelete",
        IMAGE_DELETE,
        lambda c: {"id": _image(c).pk},
        "catalog.delete_productimage",
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("field", "document", "variables", "permission"),
    OPERATIONS,
    ids=[operation[0] for operation in OPERATIONS],
)
def test_permission_table(catalog, staff, customer, role, field, document, variables, permission):
    result = assert_access(
        role, permission, document, variables(catalog), staff=staff, customer=customer
    )
    if role == "staff":
        assert result[field] is not None
        if isinstance(result[field], dict) and "errors" in result[field]:
            assert result[field]["errors"] == [], result


@pytest.mark.parametrize("role", ROLES)
def test_permission_table_of_the_image_upload(catalog, staff, customer, role, media_root):
    users = {
        "anonymous": None,
        "customer": customer,
        "staff_lacking": staff_lacking("catalog.add_productimage"),
        "staff": staff,
    }
    body = upload_image(catalog.speaker.pk, png(), user=users[role])
    if role == "staff":
        assert "errors" not in body, body
        assert body["data"]["staffImageCreate"]["errors"] == []
        assert ProductImage.objects.count() == 1
    else:
        assert error_codes(body) == [DENIED[role]], body
        assert not ProductImage.objects.exists()
        assert _files(media_root) == []


# --- attributes ------------------------------------------------------------------------


def test_attributes_are_created_given_values_renamed_listed_and_deleted(client_for, staff, catalog):
    created = data(
        ATTRIBUTE_CREATE,
        {
            "input": {
                "name": "Material",
                "slug": "material",
                "values": [{"name": "Linen", "slug": "linen"}, {"name": "Wool", "slug": "wool"}],
            }
        },
        user=staff,
    )["staffAttributeCreate"]
    assert created["errors"] == []
    attribute = created["attribute"]
    assert [(v["slug"], v["sortOrder"], v["attributeSlug"]) for v in attribute["values"]] == [
        ("linen", 0, "material"),
        ("wool", 1, "material"),
    ]

    value = data(
        VALUE_CREATE,
        {"attributeId": attribute["id"], "input": {"name": "Silk", "slug": "silk", "sortOrder": 9}},
        user=staff,
    )["staffAttributeValueCreate"]
    assert value["errors"] == []
    assert value["value"] == {
        "id": AttributeValue.objects.get(slug="silk").pk,
        "attribute": attribute["id"],
        "attributeSlug": "material",
        "name": "Silk",
        "slug": "silk",
        "sortOrder": 9,
    }

    renamed = data(
        ATTRIBUTE_UPDATE, {"id": attribute["id"], "input": {"name": "Fabric"}}, user=staff
    )["staffAttributeUpdate"]
    assert renamed["errors"] == []
    assert (renamed["attribute"]["name"], renamed["attribute"]["slug"]) == ("Fabric", "material")

    one = data(ATTRIBUTE, {"id": attribute["id"]}, user=staff)["staffAttribute"]
    rest = client_for(staff).get(f"/api/v1/staff/attributes/{attribute['id']}/").json()
    assert [v["slug"] for v in one["values"]] == [v["slug"] for v in rest["values"]]
    assert [v["slug"] for v in one["values"]] == ["linen", "wool", "silk"]
    listed = data(ATTRIBUTES, {}, user=staff)["staffAttributes"]["edges"]
    rest_list = client_for(staff).get("/api/v1/staff/attributes/").json()["results"]
    assert [a["node"]["slug"] for a in listed] == [a["slug"] for a in rest_list]
    assert [a["node"]["slug"] for a in listed] == ["color", "material", "size"]

    deleted = data(ATTRIBUTE_DELETE, {"id": attribute["id"]}, user=staff)["staffAttributeDelete"]
    assert deleted == {"deletedId": attribute["id"], "errors": []}
    assert not AttributeValue.objects.filter(attribute_id=attribute["id"]).exists()


def test_deleting_an_attribute_takes_its_values_off_products(staff, catalog):
    assert catalog.red_shirt.attributes.filter(pk=catalog.red.pk).exists()
    deleted = data(ATTRIBUTE_DELETE, {"id": catalog.color.pk}, user=staff)
    assert deleted["staffAttributeDelete"]["errors"] == []
    assert not catalog.red_shirt.attributes.exists()


def test_the_attribute_list_pages_with_cursors(staff, catalog):
    for index in range(3):
        services.attribute_create(name=f"Extra {index}", slug=f"extra-{index}")
    seen, after = [], None
    while True:
        page = data(ATTRIBUTES, {"first": 2, "after": after}, user=staff)["staffAttributes"]
        seen += [edge["node"]["slug"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(Attribute.objects.order_by("slug").values_list("slug", flat=True))


def _user_errors(document, variables, staff, field):
    body = gql(document, variables, user=staff)
    assert_no_masked_errors(body)
    assert "errors" not in body, body
    payload = body["data"][field]
    return [(e["code"], e["field"]) for e in payload["errors"]], payload


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"slug": "Not A Slug"}, [("invalid", "slug")]),
        ({"slug": "color"}, [("slug_taken", "slug")]),
        ({"name": ""}, [("blank", "name")]),
        ({"name": "x" * 101}, [("max_length", "name")]),
        ({"values": None}, [("null", "values")]),
        (
            {"values": [{"name": "Slim", "slug": "slim"}, {"name": "Slim 2", "slug": "slim"}]},
            [("duplicate_slug", "values")],
        ),
        (
            {"values": [{"name": "Slim", "slug": "slim"}, {"name": "Wide", "slug": "W I D E"}]},
            [("invalid", "values.1.slug")],
        ),
        ({"values": [{"name": "", "slug": "slim"}]}, [("blank", "values.0.name")]),
    ],
)
def test_bad_attribute_input_is_a_user_error_and_saves_nothing(staff, catalog, given, expected):
    before = snapshot()
    variables = {"input": {"name": "Fit", "slug": "fit", **given}}
    errors, payload = _user_errors(ATTRIBUTE_CREATE, variables, staff, "staffAttributeCreate")
    assert errors == expected
    assert payload["attribute"] is None
    assert snapshot() == before


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"slug": "red"}, [("slug_taken", "slug")]),  # taken in this attribute
        ({"slug": "Red!"}, [("invalid", "slug")]),
        ({"name": "x" * 101}, [("max_length", "name")]),
        ({"sortOrder": None}, [("null", "sortOrder")]),
    ],
)
def test_bad_attribute_value_input_is_a_user_error(staff, catalog, given, expected):
    before = snapshot()
    variables = {"attributeId": catalog.color.pk, "input": {"name": "Ruby", "slug": "ruby"}}
    variables["input"].update(given)
    errors, payload = _user_errors(VALUE_CREATE, variables, staff, "staffAttributeValueCreate")
    assert errors == expected
    assert payload["value"] is None
    assert snapshot() == before


def test_a_value_slug_of_another_attribute_may_be_reused(staff, catalog):
    variables = {"attributeId": catalog.size.pk, "input": {"name": "Red", "slug": "red"}}
    errors, payload = _user_errors(VALUE_CREATE, variables, staff, "staffAttributeValueCreate")
    assert errors == []
    assert payload["value"]["attribute"] == catalog.size.pk


def test_an_attribute_slug_taken_on_rename_is_a_user_error(staff, catalog):
    errors, payload = _user_errors(
        ATTRIBUTE_UPDATE,
        {"id": catalog.color.pk, "input": {"slug": "size"}},
        staff,
        "staffAttributeUpdate",
    )
    assert errors == [("slug_taken", "slug")]
    assert payload["attribute"] is None
    assert Attribute.objects.get(pk=catalog.color.pk).slug == "color"


# --- product types ---------------------------------------------------------------------


def test_product_types_are_created_changed_listed_and_deleted(client_for, staff, catalog):
    created = data(
        PRODUCT_TYPE_CREATE,
        {
            "input": {
                "name": "Shoe",
                "slug": "shoe",
                "productAttributes": [catalog.color.pk],
                "variantAttributes": [catalog.size.pk],
            }
        },
        user=staff,
    )["staffProductTypeCreate"]
    assert created["errors"] == []
    shoe = created["productType"]
    assert (shoe["productAttributes"], shoe["variantAttributes"]) == (
        [catalog.color.pk],
        [catalog.size.pk],
    )

    changed = data(
        PRODUCT_TYPE_UPDATE,
        {
            "id": shoe["id"],
            "input": {"productAttributes": [], "variantAttributes": [catalog.color.pk]},
        },
        user=staff,
    )["staffProductTypeUpdate"]
    assert changed["errors"] == []
    assert changed["productType"] == {
        "id": shoe["id"],
        "name": "Shoe",
        "slug": "shoe",
        "productAttributes": [],
        "variantAttributes": [catalog.color.pk],
    }
    # Lists left out stay as they are.
    renamed = data(PRODUCT_TYPE_UPDATE, {"id": shoe["id"], "input": {"name": "Shoes"}}, user=staff)[
        "staffProductTypeUpdate"
    ]["productType"]
    assert (renamed["name"], renamed["variantAttributes"]) == ("Shoes", [catalog.color.pk])

    staff_api = client_for(staff)
    one = data(PRODUCT_TYPE, {"id": shoe["id"]}, user=staff)["staffProductType"]
    rest = staff_api.get(f"/api/v1/staff/product-types/{shoe['id']}/").json()
    assert (one["name"], one["productAttributes"], one["variantAttributes"]) == (
        rest["name"],
        rest["product_attributes"],
        rest["variant_attributes"],
    )
    listed = data(PRODUCT_TYPES, {}, user=staff)["staffProductTypes"]["edges"]
    rest_list = staff_api.get("/api/v1/staff/product-types/").json()["results"]
    assert [t["node"]["slug"] for t in listed] == [t["slug"] for t in rest_list]
    assert [t["node"]["slug"] for t in listed] == ["apparel", "gadget", "shoe"]

    deleted = data(PRODUCT_TYPE_DELETE, {"id": shoe["id"]}, user=staff)
    assert deleted["staffProductTypeDelete"] == {"deletedId": shoe["id"], "errors": []}
    assert not ProductType.objects.filter(pk=shoe["id"]).exists()


def test_a_product_type_in_use_cannot_be_deleted(staff, catalog):
    errors, payload = _user_errors(
        PRODUCT_TYPE_DELETE, {"id": catalog.apparel.pk}, staff, "staffProductTypeDelete"
    )
    assert errors == [("in_use", None)]
    assert payload["deletedId"] is None
    assert ProductType.objects.filter(pk=catalog.apparel.pk).exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"slug": "apparel"}, [("slug_taken", "slug")]),
        ({"slug": "no slug"}, [("invalid", "slug")]),
        ({"name": "x" * 201}, [("max_length", "name")]),
        ({"productAttributes": [999_999]}, [("does_not_exist", "productAttributes.0")]),
        ("color-then-unknown", [("does_not_exist", "variantAttributes.1")]),
        ({"productAttributes": None}, [("null", "productAttributes")]),
        ("too-many", [("max_length", "variantAttributes")]),
    ],
)
def test_bad_product_type_input_is_a_user_error_and_saves_nothing(staff, catalog, given, expected):
    if given == "color-then-unknown":
        given = {"variantAttributes": [catalog.color.pk, 999_999]}
    if given == "too-many":
        given = {"variantAttributes": [catalog.color.pk] * 101}
    before = snapshot()
    variables = {"input": {"name": "Book", "slug": "book", **given}}
    errors, payload = _user_errors(PRODUCT_TYPE_CREATE, variables, staff, "staffProductTypeCreate")
    assert errors == expected
    assert payload["productType"] is None
    assert snapshot() == before


def test_bad_product_type_changes_save_nothing(staff, catalog):
    before = snapshot()
    errors, _ = _user_errors(
        PRODUCT_TYPE_UPDATE,
        {"id": catalog.gadget.pk, "input": {"name": "New", "productAttributes": [999_999]}},
        staff,
        "staffProductTypeUpdate",
    )
    assert errors == [("does_not_exist", "productAttributes.0")]
    assert snapshot() == before
    assert ProductType.objects.get(pk=catalog.gadget.pk).name == "Gadget"


# --- images ----------------------------------------------------------------------------


def test_an_image_is_uploaded_shown_and_deleted(
    client_for, staff, catalog, media_root, django_capture_on_commit_callbacks
):
    variant = catalog.red_shirt.variants.first()
    body = upload_image(
        catalog.red_shirt.pk,
        png("front.png"),
        user=staff,
        alt="Front",
        sortOrder=2,
        variant=variant.pk,
    )
    assert_no_masked_errors(body)
    payload = body["data"]["staffImageCreate"]
    assert payload["errors"] == []
    image = payload["image"]
    assert (image["product"], image["variant"], image["alt"], image["sortOrder"]) == (
        catalog.red_shirt.pk,
        variant.pk,
        "Front",
        2,
    )
    assert image["url"].startswith("http://testserver/media/products/")
    stored = media_root / ProductImage.objects.get(pk=image["id"]).image.name
    assert stored.is_file()
    assert Image.open(stored).size == (2, 2)
    # As REST shows it, and on the product.
    rest = client_for(staff).get(f"/api/v1/staff/products/{catalog.red_shirt.pk}/").json()
    assert rest["images"] == [
        {
            "id": image["id"],
            "product": image["product"],
            "variant": image["variant"],
            "url": image["url"],
            "alt": image["alt"],
            "sort_order": image["sortOrder"],
        }
    ]
    shown = data(PRODUCT_IMAGES, {"id": catalog.red_shirt.pk}, user=staff)["staffProduct"]
    assert shown["images"] == [{"id": image["id"], "alt": "Front"}]

    with django_capture_on_commit_callbacks(execute=True):
        deleted = data(IMAGE_DELETE, {"id": image["id"]}, user=staff)["staffImageDelete"]
    assert deleted == {"deletedId": image["id"], "errors": []}
    assert not ProductImage.objects.filter(pk=image["id"]).exists()
    assert not stored.exists()


def test_an_image_needs_only_the_file(staff, catalog):
    body = upload_image(catalog.speaker.pk, png(), user=staff)
    image = body["data"]["staffImageCreate"]["image"]
    assert (image["variant"], image["alt"], image["sortOrder"]) == (None, "", 0)


@pytest.mark.parametrize(
    ("file", "given", "expected"),
    [
        (
            SimpleUploadedFile("fake.png", b"not an image", content_type="image/png"),
            {},
            [("invalid_image", "image")],
        ),
        ("png-as-html", {}, [("invalid_extension", "image")]),
        (SimpleUploadedFile("empty.png", b"", content_type="image/png"), {}, [("empty", "image")]),
        (None, {"alt": "x" * 251}, [("max_length", "alt")]),
        (None, {"alt": None}, [("null", "alt")]),
        (None, {"variant": 999_999}, [("does_not_exist", "variant")]),
        ("another-products-variant", {}, [("unknown_reference", "variant")]),
    ],
)
def test_bad_uploads_are_user_errors_and_save_nothing(
    staff, catalog, media_root, file, given, expected
):
    if file == "png-as-html":
        file = png("page.html")
    if file == "another-products-variant":
        file, given = png(), {"variant": catalog.red_shirt.variants.first().pk}
    before = snapshot()
    body = upload_image(catalog.speaker.pk, file or png(), user=staff, **given)
    assert_no_masked_errors(body)
    payload = body["data"]["staffImageCreate"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == expected
    assert payload["image"] is None
    assert snapshot() == before
    assert _files(media_root) == []


def test_the_file_does_not_count_against_the_in_memory_body_limit(
    staff, catalog, media_root, settings
):
    """Only the form fields must fit DATA_UPLOAD_MAX_MEMORY_SIZE (API_MAX_BODY_BYTES);
    the file part is under API_MAX_UPLOAD_BYTES, as over REST."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    buffer = io.BytesIO()
    noise = os.urandom(40 * 40 * 3)  # noise: PNG cannot shrink it
    Image.frombytes("RGB", (40, 40), noise).save(buffer, "PNG")
    assert len(buffer.getvalue()) > 2_000
    big = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")
    body = upload_image(catalog.speaker.pk, big, user=staff)
    assert body["data"]["staffImageCreate"]["errors"] == [], body
    assert len(_files(media_root)) == 1


def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    staff, catalog, media_root, settings
):
    settings.API_MAX_UPLOAD_BYTES = 64
    before = snapshot()
    body: dict[str, Any] = {
        "operations": json.dumps(
            {
                "query": IMAGE_CREATE,
                "variables": {"productId": catalog.speaker.pk, "input": {"image": None}},
            }
        ),
        "map": json.dumps({"0": ["variables.input.image"]}),
        "0": png(),
    }
    response = Client().post("/graphql/", body, **_headers(staff))  # type: ignore[arg-type]
    assert response.status_code == 413, response.content
    assert response.json()["code"] == "request_too_large"
    assert snapshot() == before
    assert _files(media_root) == []


@pytest.mark.parametrize("value", ["a-file.png", 7, {"name": "x.png"}, ["x"]])
def test_an_image_that_is_not_a_file_is_a_user_error(staff, catalog, media_root, value):
    """Without multipart, the Upload scalar takes any JSON: the serializer refuses it."""
    before = snapshot()
    errors, payload = _user_errors(
        IMAGE_CREATE,
        {"productId": catalog.speaker.pk, "input": {"image": value}},
        staff,
        "staffImageCreate",
    )
    assert errors == [("invalid", "image")]
    assert payload["image"] is None
    assert snapshot() == before


_OPERATIONS = {"query": IMAGE_CREATE, "variables": {"productId": 1, "input": {"image": None}}}


@pytest.mark.parametrize(
    ("operations", "files_map", "with_file"),
    [
        (_OPERATIONS, {"0": ["variables.input.image"]}, False),  # the part is missing
        (_OPERATIONS, [], True),
        (_OPERATIONS, {"0": 5}, True),
        ("not an object", {"0": ["variables.input.image"]}, True),
        ({**_OPERATIONS, "variables": {"input": "text"}}, {"0": ["variables.input.image"]}, True),
        ({**_OPERATIONS, "variables": {"input": []}}, {"0": ["variables.input.3"]}, True),
        (_OPERATIONS, {"0": ["variables.input.x.image"]}, True),
    ],
)
def test_a_malformed_multipart_request_is_a_bad_request(
    staff, catalog, media_root, operations, files_map, with_file
):
    body: dict[str, Any] = {"operations": json.dumps(operations), "map": json.dumps(files_map)}
    if with_file:
        body["0"] = png()
    response = Client().post("/graphql/", body, **_headers(staff))  # type: ignore[arg-type]
    assert response.status_code == 400, response.content
    assert not ProductImage.objects.exists()


def test_an_upload_for_an_unknown_product_is_not_found(staff, catalog, media_root):
    body = upload_image(999_999, png(), user=staff)
    assert_no_masked_errors(body)
    assert body["data"]["staffImageCreate"] == {
        "image": None,
        "errors": [{"code": "product_not_found", "message": "No such product.", "field": None}],
    }
    assert _files(media_root) == []


# --- unknown ids and wrong types --------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "variables", "field", "code"),
    [
        (
            ATTRIBUTE_UPDATE,
            {"id": 999_999, "input": {"name": "X"}},
            "staffAttributeUpdate",
            "not_found",
        ),
        (ATTRIBUTE_DELETE, {"id": 999_999}, "staffAttributeDelete", "not_found"),
        (
            VALUE_CREATE,
            {"attributeId": 999_999, "input": {"name": "X", "slug": "x"}},
            "staffAttributeValueCreate",
            "not_found",
        ),
        (
            PRODUCT_TYPE_UPDATE,
            {"id": 999_999, "input": {"name": "X"}},
            "staffProductTypeUpdate",
            "not_found",
        ),
        (PRODUCT_TYPE_DELETE, {"id": 999_999}, "staffProductTypeDelete", "not_found"),
        (IMAGE_DELETE, {"id": 999_999}, "staffImageDelete", "not_found"),
        (
            IMAGE_CREATE,
            {"productId": 999_999, "input": {"image": "x"}},
            "staffImageCreate",
            "product_not_found",
        ),
    ],
)
def test_unknown_ids_are_not_found_user_errors(staff, catalog, document, variables, field, code):
    errors, _ = _user_errors(document, variables, staff, field)
    assert errors == [(code, None)]


def test_unknown_ids_read_as_null(staff, catalog):
    for document, field in ((ATTRIBUTE, "staffAttribute"), (PRODUCT_TYPE, "staffProductType")):
        assert data(document, {"id": 999_999}, user=staff) == {field: None}


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (ATTRIBUTE, {"id": "seven"}),
        (ATTRIBUTES, {"first": 2**31}),
        (ATTRIBUTE_CREATE, {"input": {"name": "A"}}),
        (ATTRIBUTE_CREATE, {"input": {"name": "A", "slug": "a", "values": [{"name": "V"}]}}),
        (ATTRIBUTE_CREATE, {"input": {"name": "A", "slug": "a", "values": "red"}}),
        (ATTRIBUTE_UPDATE, {"id": 1, "input": {"values": []}}),  # not changeable here
        (VALUE_CREATE, {"attributeId": 1, "input": {"name": "A", "slug": "a", "sortOrder": "1"}}),
        (VALUE_CREATE, {"attributeId": "1", "input": {"name": "A", "slug": "a"}}),
        (PRODUCT_TYPE, {"id": 1.5}),
        (PRODUCT_TYPES, {"first": "ten"}),
        (PRODUCT_TYPE_CREATE, {"input": {"name": "A", "slug": "a", "productAttributes": ["1"]}}),
        (PRODUCT_TYPE_UPDATE, {"id": 1, "input": {"variantAttributes": [True]}}),
        (IMAGE_CREATE, {"productId": 1, "input": {"alt": "no file"}}),
        (IMAGE_CREATE, {"productId": 1, "input": {"image": "x", "sortOrder": "2"}}),
        (IMAGE_CREATE, {"productId": 1, "input": {"image": "x", "variant": "2"}}),
        (IMAGE_DELETE, {"id": None}),
    ],
)
def test_wrong_types_are_graphql_validation_errors(staff, catalog, document, variables):
    before = snapshot()
    body = gql(document, variables, user=staff)
    assert body["errors"], body
    assert_no_masked_errors(body)
    assert body.get("data") is None
    assert snapshot() == before


# --- query counts ------------------------------------------------------------------------


def test_lists_cost_the_same_queries_at_any_page_size(staff, catalog):
    for index in range(12):
        attribute = services.attribute_create(
            name=f"Attr {index}",
            slug=f"attr-{index}",
            values=[{"name": f"V{n}", "slug": f"v{n}"} for n in range(index % 3 + 1)],
        )
        services.product_type_create(
            name=f"Type {index}",
            slug=f"type-{index}",
            product_attributes=[attribute, catalog.color],
            variant_attributes=[catalog.size],
        )
    for document, field in (
        (ATTRIBUTES, "staffAttributes"),
        (PRODUCT_TYPES, "staffProductTypes"),
    ):
        counts = query_counts(
            document, lambda size: {"first": size}, (2, 12), user=staff, field=field
        )
        assert len(counts) == 1, (field, counts)


def test_one_attribute_or_type_costs_a_fixed_number_of_queries(staff, catalog):
    for document, ids in (
        (ATTRIBUTE, (catalog.color.pk, catalog.size.pk)),
        (PRODUCT_TYPE, (catalog.apparel.pk, catalog.gadget.pk)),
    ):
        counts = set()
        for object_id in ids:
            with CaptureQueriesContext(connection) as queries:
                data(document, {"id": object_id}, user=staff)
            counts.add(len(queries))
        assert len(counts) == 1, (document, counts)
