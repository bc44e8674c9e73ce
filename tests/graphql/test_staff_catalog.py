"""The staff catalog over GraphQL: the same permissions, filters, input rules and
services as REST's staff catalog."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.catalog import services
from nexus.catalog.models import Brand, Category, Product, ProductVariant
from tests.graphql.client import data, error_codes, gql
from tests.graphql.staff_access import (
    ROLES,
    assert_access,
    assert_no_masked_errors,
    place,
    query_counts,
)

pytestmark = pytest.mark.django_db

ERRORS = "errors { code message field }"
PRODUCT_FIELDS = """id name slug productType category brand isPublished publishedAt
  priceMin priceMax currency description seoTitle seoDescription
  attributes { id attribute attributeSlug slug }
  variants { id sku price compareAtPrice attributes { slug } }
  images { url }"""

PRODUCTS = """
query($filter: StaffProductFilterInput, $first: Int, $after: String) {
  staffProducts(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id slug isPublished category brand priceMin } }
    pageInfo { hasNextPage endCursor }
  }
}"""
PRODUCT = f"query($id: Int!) {{ staffProduct(id: $id) {{ {PRODUCT_FIELDS} }} }}"
VARIANT = "query($id: Int!) { staffVariant(id: $id) { id sku price product attributes { slug } } }"
CATEGORIES = """query($first: Int, $after: String) {
  staffCategories(first: $first, after: $after) {
    edges { node { id slug depth parent } } pageInfo { hasNextPage endCursor } } }"""
CATEGORY = "query($id: Int!) { staffCategory(id: $id) { id slug parent depth } }"
BRANDS = """query($first: Int) {
  staffBrands(first: $first) { edges { node { id slug name } } } }"""
BRAND = "query($id: Int!) { staffBrand(id: $id) { id slug } }"

PRODUCT_CREATE = f"""mutation($input: StaffProductCreateInput!) {{
  staffProductCreate(input: $input) {{ product {{ {PRODUCT_FIELDS} }} {ERRORS} }} }}"""
PRODUCT_UPDATE = f"""mutation($id: Int!, $input: StaffProductUpdateInput!) {{
  staffProductUpdate(id: $id, input: $input) {{ product {{ {PRODUCT_FIELDS} }} {ERRORS} }} }}"""
PRODUCT_DELETE = f"mutation($id: Int!) {{ staffProductDelete(id: $id) {{ deletedId {ERRORS} }} }}"
VARIANT_FIELDS = (
    "id product sku name price compareAtPrice weightGrams sortOrder attributes { slug }"
)
VARIANT_CREATE = f"""mutation($productId: Int!, $input: StaffVariantCreateInput!) {{
  staffVariantCreate(productId: $productId, input: $input) {{
    variant {{ {VARIANT_FIELDS} }} {ERRORS} }} }}"""
VARIANT_UPDATE = f"""mutation($id: Int!, $input: StaffVariantUpdateInput!) {{
  staffVariantUpdate(id: $id, input: $input) {{ variant {{ {VARIANT_FIELDS} }} {ERRORS} }} }}"""
VARIANT_DELETE = f"mutation($id: Int!) {{ staffVariantDelete(id: $id) {{ deletedId {ERRORS} }} }}"
CATEGORY_CREATE = f"""mutation($input: StaffCategoryCreateInput!) {{
  staffCategoryCreate(input: $input) {{
    category {{ id name slug description sortOrder depth parent }} {ERRORS} }} }}"""
CATEGORY_UPDATE = f"""mutation($id: Int!, $input: StaffCategoryUpdateInput!) {{
  staffCategoryUpdate(id: $id, input: $input) {{
    category {{ id name slug sortOrder depth parent }} {ERRORS} }} }}"""
CATEGORY_DELETE = f"mutation($id: Int!) {{ staffCategoryDelete(id: $id) {{ deletedId {ERRORS} }} }}"
BRAND_CREATE = f"""mutation($input: StaffBrandCreateInput!) {{
  staffBrandCreate(input: $input) {{ brand {{ id name slug }} {ERRORS} }} }}"""
BRAND_UPDATE = f"""mutation($id: Int!, $input: StaffBrandUpdateInput!) {{
  staffBrandUpdate(id: $id, input: $input) {{ brand {{ id name slug }} {ERRORS} }} }}"""
BRAND_DELETE = f"mutation($id: Int!) {{ staffBrandDelete(id: $id) {{ deletedId {ERRORS} }} }}"


def _new_product(catalog, **given):
    return {
        "productType": catalog.apparel.pk,
        "category": catalog.shirts.pk,
        "name": "Green polo",
        "slug": "green-polo",
        **given,
    }


def _unused_brand():
    return services.brand_create(name="Unused", slug="unused")


def _empty_category(catalog):
    return services.category_create(name="Empty", slug="empty", parent=catalog.audio)


# (field, document, variables from the catalog, the permission REST requires)
OPERATIONS = [
    ("staffProducts", PRODUCTS, lambda c: {}, "catalog.view_product"),
    ("staffProduct", PRODUCT, lambda c: {"id": c.red_shirt.pk}, "catalog.view_product"),
    (
        "staffVariant",
        VARIANT,
        lambda c: {"id": c.red_shirt.variants.first().pk},
        "catalog.view_productvariant",
    ),
    ("staffCategories", CATEGORIES, lambda c: {}, "catalog.view_category"),
    ("staffCategory", CATEGORY, lambda c: {"id": c.shirts.pk}, "catalog.view_category"),
    ("staffBrands", BRANDS, lambda c: {}, "catalog.view_brand"),
    ("staffBrand", BRAND, lambda c: {"id": c.acme.pk}, "catalog.view_brand"),
    (
        "staffProductCreate",
        PRODUCT_CREATE,
        lambda c: {"input": _new_product(c)},
        "catalog.add_product",
    ),
    (
        "staffProductUpdate",
        PRODUCT_UPDATE,
        lambda c: {"id": c.hidden.pk, "input": {"isPublished": True}},
        "catalog.change_product",
    ),
    ("staffProductDelete", PRODUCT_DELETE, lambda c: {"id": c.hidden.pk}, "catalog.delete_product"),
    (
        "staffVariantCreate",
        VARIANT_CREATE,
        lambda c: {"productId": c.speaker.pk, "input": {"sku": "SPK-2", "price": "9.50"}},
        "catalog.add_productvariant",
    ),
    (
        "staffVariantUpdate",
        VARIANT_UPDATE,
        lambda c: {"id": c.speaker.variants.first().pk, "input": {"price": "30.00"}},
        "catalog.change_productvariant",
    ),
    (
        "staffVariantDelete",
        VARIANT_DELETE,
        lambda c: {"id": c.hidden.variants.first().pk},
        "catalog.delete_productvariant",
    ),
    (
        "staffCategoryCreate",
        CATEGORY_CREATE,
        lambda c: {"input": {"name": "Tops", "slug": "tops", "parent": c.clothing.pk}},
        "catalog.add_category",
    ),
    (
        "staffCategoryUpdate",
        CATEGORY_UPDATE,
        lambda c: {"id": c.shirts.pk, "input": {"name": "Shirts & tops"}},
        "catalog.change_category",
    ),
    (
        "staffCategoryDelete",
        CATEGORY_DELETE,
        lambda c: {"id": _empty_category(c).pk},
        "catalog.delete_category",
    ),
    (
        "staffBrandCreate",
        BRAND_CREATE,
        lambda c: {"input": {"name": "Nova", "slug": "nova"}},
        "catalog.add_brand",
    ),
    (
        "staffBrandUpdate",
        BRAND_UPDATE,
        lambda c: {"id": c.acme.pk, "input": {"name": "Acme Inc"}},
        "catalog.change_brand",
    ),
    (
        "staffBrandDelete",
        BRAND_DELETE,
        lambda c: {"id": _unused_brand().pk},
        "catalog.delete_brand",
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


# --- reads ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("graphql_filter", "rest_query"),
    [
        ({}, ""),
        ({"isPublished": False}, "is_published=false"),
        ({"isPublished": True}, "is_published=true"),
        ({"search": "SHIRT"}, "search=SHIRT"),
        ("category", "category={shirts}"),
    ],
)
def test_the_product_list_filters_as_rest(client_for, staff, catalog, graphql_filter, rest_query):
    if graphql_filter == "category":
        graphql_filter = {"category": catalog.shirts.pk}
    rest = client_for(staff).get(
        "/api/v1/staff/products/?" + rest_query.format(shirts=catalog.shirts.pk)
    )
    rows = data(PRODUCTS, {"filter": graphql_filter}, user=staff)["staffProducts"]["edges"]
    assert [row["node"]["slug"] for row in rows] == [p["slug"] for p in rest.json()["results"]]
    assert [row["node"]["isPublished"] for row in rows] == [
        p["is_published"] for p in rest.json()["results"]
    ]


def test_the_product_list_pages_with_cursors(staff, catalog):
    seen, after = [], None
    while True:
        page = data(PRODUCTS, {"first": 2, "after": after}, user=staff)["staffProducts"]
        seen += [edge["node"]["slug"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(Product.objects.order_by("-id").values_list("slug", flat=True))


@pytest.mark.parametrize(
    "graphql_filter",
    [{"category": 999_999}, {"search": "x" * 201}],
)
def test_bad_product_filters_are_invalid_requests(staff, catalog, graphql_filter):
    body = gql(PRODUCTS, {"filter": graphql_filter}, user=staff)
    assert error_codes(body) == ["invalid"], body
    assert list(body["errors"][0]["extensions"]["fields"]) == list(graphql_filter)


def test_one_product_matches_rest_and_unknown_ids_are_null(client_for, staff, catalog):
    product = data(PRODUCT, {"id": catalog.hidden.pk}, user=staff)["staffProduct"]
    rest = client_for(staff).get(f"/api/v1/staff/products/{catalog.hidden.pk}/").json()
    assert product["slug"] == rest["slug"] == "secret-prototype"
    assert product["isPublished"] is False
    assert product["productType"] == rest["product_type"]
    assert product["category"] == rest["category"]
    assert product["brand"] == rest["brand"]
    assert [(v["sku"], v["price"]) for v in product["variants"]] == [
        (v["sku"], v["price"]) for v in rest["variants"]
    ]
    for document, field in (
        (PRODUCT, "staffProduct"),
        (VARIANT, "staffVariant"),
        (CATEGORY, "staffCategory"),
        (BRAND, "staffBrand"),
    ):
        assert data(document, {"id": 999_999}, user=staff) == {field: None}


def test_categories_and_brands_list_as_rest(client_for, staff, catalog):
    staff_api = client_for(staff)
    categories = data(CATEGORIES, {}, user=staff)["staffCategories"]["edges"]
    rest = staff_api.get("/api/v1/staff/categories/").json()["results"]
    assert [(c["node"]["slug"], c["node"]["parent"]) for c in categories] == [
        (c["slug"], c["parent"]) for c in rest
    ]
    brands = data(BRANDS, {}, user=staff)["staffBrands"]["edges"]
    rest = staff_api.get("/api/v1/staff/brands/").json()["results"]
    assert [b["node"]["slug"] for b in brands] == [b["slug"] for b in rest] == ["acme", "zenith"]
    assert data(CATEGORY, {"id": catalog.shirts.pk}, user=staff)["staffCategory"] == {
        "id": catalog.shirts.pk,
        "slug": "shirts",
        "parent": catalog.clothing.pk,
        "depth": 2,
    }


# --- products and variants --------------------------------------------------------------


def test_a_product_is_created_given_variants_published_and_deleted(staff, catalog):
    created = data(
        PRODUCT_CREATE,
        {"input": _new_product(catalog, brand=catalog.acme.pk, attributes=[catalog.red.pk])},
        user=staff,
    )["staffProductCreate"]
    assert created["errors"] == []
    product = created["product"]
    assert (product["slug"], product["isPublished"], product["brand"]) == (
        "green-polo",
        False,
        catalog.acme.pk,
    )
    assert [a["slug"] for a in product["attributes"]] == ["red"]

    variant = data(
        VARIANT_CREATE,
        {
            "productId": product["id"],
            "input": {
                "sku": "POLO-S",
                "price": "19.90",
                "compareAtPrice": "25.00",
                "weightGrams": 200,
                "attributes": [catalog.small.pk],
            },
        },
        user=staff,
    )["staffVariantCreate"]
    assert variant["errors"] == []
    assert variant["variant"]["price"] == "19.90"
    assert variant["variant"]["attributes"] == [{"slug": "s"}]

    changed = data(
        VARIANT_UPDATE,
        {"id": variant["variant"]["id"], "input": {"price": "17.00", "compareAtPrice": None}},
        user=staff,
    )["staffVariantUpdate"]["variant"]
    assert (changed["price"], changed["compareAtPrice"], changed["weightGrams"]) == (
        "17.00",
        None,
        200,
    )

    published = data(
        PRODUCT_UPDATE,
        {"id": product["id"], "input": {"isPublished": True, "brand": None, "attributes": []}},
        user=staff,
    )["staffProductUpdate"]["product"]
    assert published["isPublished"] is True
    assert published["publishedAt"] is not None
    assert published["brand"] is None
    assert published["attributes"] == []
    assert (published["priceMin"], published["priceMax"]) == ("17.00", "17.00")
    # The storefront shows it now: the same service published it.
    assert data('{ product(slug: "green-polo") { slug } }')["product"] == {"slug": "green-polo"}

    unpublished = data(
        PRODUCT_UPDATE, {"id": product["id"], "input": {"isPublished": False}}, user=staff
    )["staffProductUpdate"]["product"]
    assert unpublished["isPublished"] is False
    assert data('{ product(slug: "green-polo") { slug } }')["product"] is None

    deleted = data(VARIANT_DELETE, {"id": variant["variant"]["id"]}, user=staff)
    assert deleted["staffVariantDelete"] == {"deletedId": variant["variant"]["id"], "errors": []}
    deleted = data(PRODUCT_DELETE, {"id": product["id"]}, user=staff)
    assert deleted["staffProductDelete"] == {"deletedId": product["id"], "errors": []}
    assert not Product.objects.filter(slug="green-polo").exists()


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
        ({"slug": "red-linen-shirt"}, [("slug_taken", "slug")]),
        ({"category": 999_999}, [("does_not_exist", "category")]),
        ({"productType": 999_999}, [("does_not_exist", "productType")]),
        ({"brand": 999_999}, [("does_not_exist", "brand")]),
        ({"attributes": [999_999]}, [("does_not_exist", "attributes.0")]),
        ({"name": ""}, [("blank", "name")]),
        ({"seoTitle": "x" * 71}, [("max_length", "seoTitle")]),
        ({"description": None}, [("null", "description")]),
    ],
)
def test_bad_product_input_is_a_user_error_and_saves_nothing(staff, catalog, given, expected):
    products = Product.objects.count()
    variables = {"input": _new_product(catalog, **given)}
    errors, payload = _user_errors(PRODUCT_CREATE, variables, staff, "staffProductCreate")
    assert errors == expected
    assert payload["product"] is None
    assert Product.objects.count() == products


def test_a_product_attribute_the_type_does_not_allow_is_refused(staff, catalog):
    errors, _ = _user_errors(
        PRODUCT_UPDATE,
        {"id": catalog.red_shirt.pk, "input": {"attributes": [catalog.small.pk]}},
        staff,
        "staffProductUpdate",
    )
    assert errors == [("attribute_not_allowed", "attributes")]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"price": "-1.00"}, [("min_value", "price")]),
        ({"price": "1.234"}, [("max_decimal_places", "price")]),
        ({"price": "NaN"}, [("invalid", "price")]),
        ({"sku": "red-linen-shirt-0"}, [("sku_taken", "sku")]),
        ({"weightGrams": -5}, [("min_value", "weightGrams")]),
        ({"attributes": [999_999]}, [("does_not_exist", "attributes.0")]),
    ],
)
def test_bad_variant_input_is_a_user_error(staff, catalog, given, expected):
    variables = {"productId": catalog.speaker.pk, "input": {"sku": "SPK-9", "price": "5.00"}}
    variables["input"].update(given)
    errors, payload = _user_errors(VARIANT_CREATE, variables, staff, "staffVariantCreate")
    assert errors == expected
    assert payload["variant"] is None
    assert not ProductVariant.objects.filter(sku="SPK-9").exists()


@pytest.mark.parametrize(
    ("document", "variables", "field", "code"),
    [
        (PRODUCT_UPDATE, {"id": 999_999, "input": {}}, "staffProductUpdate", "product_not_found"),
        (PRODUCT_DELETE, {"id": 999_999}, "staffProductDelete", "product_not_found"),
        (
            VARIANT_CREATE,
            {"productId": 999_999, "input": {"sku": "X", "price": "1.00"}},
            "staffVariantCreate",
            "product_not_found",
        ),
        (VARIANT_UPDATE, {"id": 999_999, "input": {}}, "staffVariantUpdate", "variant_not_found"),
        (VARIANT_DELETE, {"id": 999_999}, "staffVariantDelete", "variant_not_found"),
        (
            CATEGORY_UPDATE,
            {"id": 999_999, "input": {}},
            "staffCategoryUpdate",
            "category_not_found",
        ),
        (CATEGORY_DELETE, {"id": 999_999}, "staffCategoryDelete", "category_not_found"),
        (BRAND_UPDATE, {"id": 999_999, "input": {}}, "staffBrandUpdate", "not_found"),
        (BRAND_DELETE, {"id": 999_999}, "staffBrandDelete", "not_found"),
    ],
)
def test_unknown_ids_are_not_found_user_errors(staff, catalog, document, variables, field, code):
    errors, _ = _user_errors(document, variables, staff, field)
    assert errors == [(code, None)]


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (PRODUCT, {"id": "seven"}),
        (PRODUCT_CREATE, {"input": {"productType": "1", "category": 1, "name": "A", "slug": "a"}}),
        (PRODUCT_CREATE, {"input": {"category": 1, "name": "A", "slug": "a"}}),
        (PRODUCT_UPDATE, {"id": 1, "input": {"productType": 1}}),  # not changeable
        (VARIANT_CREATE, {"productId": 1, "input": {"sku": "A", "price": "cheap"}}),
        (VARIANT_CREATE, {"productId": 1, "input": {"sku": "A", "price": 5.5, "extra": 1}}),
        (PRODUCTS, {"filter": {"isPublished": "yes"}}),
        (PRODUCTS, {"first": 2**31}),
    ],
)
def test_wrong_types_are_graphql_validation_errors(staff, catalog, document, variables):
    body = gql(document, variables, user=staff)
    assert body["errors"], body
    assert_no_masked_errors(body)
    assert body.get("data") is None


def test_a_product_in_an_order_cannot_be_deleted(staff, catalog):
    place(catalog.speaker.variants.first())
    errors, payload = _user_errors(
        PRODUCT_DELETE, {"id": catalog.speaker.pk}, staff, "staffProductDelete"
    )
    assert errors == [("in_use", None)]
    assert payload["deletedId"] is None


# --- categories and brands --------------------------------------------------------------


def test_categories_are_created_moved_and_deleted_as_in_rest(staff, catalog):
    created = data(
        CATEGORY_CREATE,
        {"input": {"name": "Tops", "slug": "tops", "parent": catalog.audio.pk}},
        user=staff,
    )["staffCategoryCreate"]
    assert created["errors"] == []
    tops = created["category"]
    assert (tops["parent"], tops["depth"], tops["description"]) == (catalog.audio.pk, 2, "")

    moved = data(
        CATEGORY_UPDATE,
        {"id": tops["id"], "input": {"parent": catalog.clothing.pk, "sortOrder": 5}},
        user=staff,
    )["staffCategoryUpdate"]["category"]
    assert (moved["parent"], moved["sortOrder"]) == (catalog.clothing.pk, 5)
    top = data(CATEGORY_UPDATE, {"id": tops["id"], "input": {"parent": None}}, user=staff)
    assert top["staffCategoryUpdate"]["category"]["depth"] == 1

    errors, _ = _user_errors(
        CATEGORY_UPDATE,
        {"id": catalog.clothing.pk, "input": {"parent": catalog.shirts.pk}},
        staff,
        "staffCategoryUpdate",
    )
    assert errors == [("unknown_reference", "parent")]
    errors, _ = _user_errors(
        CATEGORY_DELETE, {"id": catalog.shirts.pk}, staff, "staffCategoryDelete"
    )
    assert errors == [("category_not_empty", None)]

    deleted = data(CATEGORY_DELETE, {"id": tops["id"]}, user=staff)["staffCategoryDelete"]
    assert deleted == {"deletedId": tops["id"], "errors": []}
    assert not Category.objects.filter(slug="tops").exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"name": "Tops", "slug": "tops"}, [("required", "parent")]),  # as REST: say null
        ({"name": "Tops", "slug": "shirts", "parent": None}, [("slug_taken", "slug")]),
        ({"name": "Tops", "slug": "tops", "parent": 999_999}, [("does_not_exist", "parent")]),
        ({"name": "Tops", "slug": "tops", "parent": None, "sortOrder": 2**31 - 1}, []),
    ],
)
def test_category_input_follows_the_rest_rules(staff, catalog, given, expected):
    errors, _ = _user_errors(CATEGORY_CREATE, {"input": given}, staff, "staffCategoryCreate")
    assert errors == expected


def test_brands_are_created_changed_and_deleted(staff, catalog):
    created = data(BRAND_CREATE, {"input": {"name": "Nova", "slug": "nova"}}, user=staff)
    brand = created["staffBrandCreate"]["brand"]
    changed = data(BRAND_UPDATE, {"id": brand["id"], "input": {"slug": "nova-x"}}, user=staff)
    assert changed["staffBrandUpdate"]["brand"] == {
        "id": brand["id"],
        "name": "Nova",
        "slug": "nova-x",
    }
    errors, _ = _user_errors(
        BRAND_UPDATE, {"id": brand["id"], "input": {"slug": "acme"}}, staff, "staffBrandUpdate"
    )
    assert errors == [("slug_taken", "slug")]
    errors, _ = _user_errors(BRAND_DELETE, {"id": catalog.acme.pk}, staff, "staffBrandDelete")
    assert errors == [("in_use", None)]
    assert data(BRAND_DELETE, {"id": brand["id"]}, user=staff)["staffBrandDelete"]["errors"] == []
    assert not Brand.objects.filter(pk=brand["id"]).exists()


# --- query counts -----------------------------------------------------------------------


def test_lists_cost_the_same_queries_at_any_page_size(staff, catalog):
    for index in range(12):
        product = services.product_create(
            name=f"Gadget {index}",
            slug=f"gadget-{index}",
            category=catalog.audio,
            product_type=catalog.gadget,
        )
        services.variant_create(product=product, sku=f"G-{index}", price=Decimal("10.00"))
        services.brand_create(name=f"Brand {index}", slug=f"brand-{index}")
        services.category_create(name=f"Cat {index}", slug=f"cat-{index}", parent=catalog.audio)
    for document, field, variables in (
        (PRODUCTS, "staffProducts", lambda size: {"first": size}),
        (
            PRODUCTS,
            "staffProducts",
            lambda size: {"first": size, "filter": {"category": catalog.audio.pk}},
        ),
        (CATEGORIES, "staffCategories", lambda size: {"first": size}),
        (BRANDS, "staffBrands", lambda size: {"first": size}),
    ):
        counts = query_counts(document, variables, (2, 12), user=staff, field=field)
        assert len(counts) == 1, (field, counts)


def test_one_product_costs_a_fixed_number_of_queries(staff, catalog):
    counts = set()
    for product in (catalog.red_shirt, catalog.speaker):
        with CaptureQueriesContext(connection) as queries:
            data(PRODUCT, {"id": product.pk}, user=staff)
        counts.add(len(queries))
    assert len(counts) == 1, counts
