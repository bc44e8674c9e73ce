"""The staff catalog API: permissions, every operation, and bad input that saves nothing."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from nexus.catalog import services
from nexus.catalog.models import (
    Attribute,
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductImage,
    ProductType,
    ProductVariant,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAFF = "/api/v1/staff/"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def staff_without_permissions(db):
    return UserFactory.create(is_staff=True)


@pytest.fixture
def staff_api(client_for, staff):
    return client_for(staff)


def png(name="pixel.png"):
    """A real, tiny PNG made with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), color=(200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def snapshot():
    """Everything the staff API can write, counted: equal before and after means
    nothing was saved."""
    counts = {
        model.__name__: model.objects.count()
        for model in (
            Category,
            Brand,
            Attribute,
            AttributeValue,
            ProductType,
            Product,
            ProductVariant,
            ProductImage,
        )
    }
    counts["product values"] = Product.attributes.through.objects.count()
    counts["variant values"] = ProductVariant.attributes.through.objects.count()
    counts["type attributes"] = ProductType.product_attributes.through.objects.count()
    return counts


def assert_problem(response, status, code, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == code, body
    if field is not None:
        assert field in {error["field"] for error in body["errors"]}, body


def send(client, method, url, body=None):
    if body is None:
        return getattr(client, method)(url)
    if isinstance(body, dict) and any(isinstance(v, SimpleUploadedFile) for v in body.values()):
        return getattr(client, method)(url, body, format="multipart")
    return getattr(client, method)(url, body, format="json")


# --- permission table ---------------------------------------------------------------------


def _empty_category():
    return services.category_create(name="Empty", slug="empty", parent=None)


def _image(c):
    return services.image_create(product=c.speaker, image=png())


# name → (status for staff, (catalog) → (method, url, body))
ENDPOINTS = {
    "categories GET": (200, lambda c: ("get", f"{STAFF}categories/", None)),
    "categories POST": (
        201,
        lambda c: (
            "post",
            f"{STAFF}categories/",
            {"name": "Shoes", "slug": "shoes", "parent": None},
        ),
    ),
    "category GET": (200, lambda c: ("get", f"{STAFF}categories/{c.audio.pk}/", None)),
    "category PATCH": (
        200,
        lambda c: ("patch", f"{STAFF}categories/{c.audio.pk}/", {"name": "Sound"}),
    ),
    "category DELETE": (
        204,
        lambda c: (
            "delete",
            f"{STAFF}categories/{_empty_category().pk}/",
            None,
        ),
    ),
    "brands GET": (200, lambda c: ("get", f"{STAFF}brands/", None)),
    "brands POST": (201, lambda c: ("post", f"{STAFF}brands/", {"name": "Nova", "slug": "nova"})),
    "brand GET": (200, lambda c: ("get", f"{STAFF}brands/{c.acme.pk}/", None)),
    "brand PATCH": (200, lambda c: ("patch", f"{STAFF}brands/{c.acme.pk}/", {"name": "ACME"})),
    "brand DELETE": (
        204,
        lambda c: (
            "delete",
            f"{STAFF}brands/{services.brand_create(name='Unused', slug='unused').pk}/",
            None,
        ),
    ),
    "attributes GET": (200, lambda c: ("get", f"{STAFF}attributes/", None)),
    "attributes POST": (
        201,
        lambda c: ("post", f"{STAFF}attributes/", {"name": "Material", "slug": "material"}),
    ),
    "attribute GET": (200, lambda c: ("get", f"{STAFF}attributes/{c.color.pk}/", None)),
    "attribute PATCH": (
        200,
        lambda c: ("patch", f"{STAFF}attributes/{c.color.pk}/", {"name": "Colour"}),
    ),
    "attribute DELETE": (204, lambda c: ("delete", f"{STAFF}attributes/{c.size.pk}/", None)),
    "attribute values POST": (
        201,
        lambda c: (
            "post",
            f"{STAFF}attributes/{c.color.pk}/values/",
            {"name": "Green", "slug": "green"},
        ),
    ),
    "product types GET": (200, lambda c: ("get", f"{STAFF}product-types/", None)),
    "product types POST": (
        201,
        lambda c: ("post", f"{STAFF}product-types/", {"name": "Book", "slug": "book"}),
    ),
    "product type GET": (200, lambda c: ("get", f"{STAFF}product-types/{c.gadget.pk}/", None)),
    "product type PATCH": (
        200,
        lambda c: ("patch", f"{STAFF}product-types/{c.gadget.pk}/", {"name": "Gadgets"}),
    ),
    "product type DELETE": (
        204,
        lambda c: (
            "delete",
            f"{STAFF}product-types/{services.product_type_create(name='X', slug='x').pk}/",
            None,
        ),
    ),
    "products GET": (200, lambda c: ("get", f"{STAFF}products/", None)),
    "products POST": (
        201,
        lambda c: (
            "post",
            f"{STAFF}products/",
            {
                "product_type": c.gadget.pk,
                "category": c.audio.pk,
                "name": "Radio",
                "slug": "radio",
            },
        ),
    ),
    "product GET": (200, lambda c: ("get", f"{STAFF}products/{c.hidden.pk}/", None)),
    "product PATCH": (
        200,
        lambda c: ("patch", f"{STAFF}products/{c.hidden.pk}/", {"name": "Prototype"}),
    ),
    "product DELETE": (204, lambda c: ("delete", f"{STAFF}products/{c.hidden.pk}/", None)),
    "variants POST": (
        201,
        lambda c: (
            "post",
            f"{STAFF}products/{c.speaker.pk}/variants/",
            {"sku": "SPK-2", "price": "39.00"},
        ),
    ),
    "variant GET": (
        200,
        lambda c: ("get", f"{STAFF}variants/{c.speaker.variants.get().pk}/", None),
    ),
    "variant PATCH": (
        200,
        lambda c: (
            "patch",
            f"{STAFF}variants/{c.speaker.variants.get().pk}/",
            {"price": "36.00"},
        ),
    ),
    "variant DELETE": (
        204,
        lambda c: ("delete", f"{STAFF}variants/{c.speaker.variants.get().pk}/", None),
    ),
    "images POST": (
        201,
        lambda c: ("post", f"{STAFF}products/{c.speaker.pk}/images/", {"image": png()}),
    ),
    "image DELETE": (204, lambda c: ("delete", f"{STAFF}images/{_image(c).pk}/", None)),
}


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", 401),
        ("customer", 403),
        ("staff_without_permissions", 403),
        ("staff", None),
    ],
)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_permission_table(request, api, client_for, catalog, who, allowed, endpoint):
    expected, prepare = ENDPOINTS[endpoint]
    method, url, body = prepare(catalog)
    client = api if who == "anonymous" else client_for(request.getfixturevalue(who))
    before = snapshot()
    response = send(client, method, url, body)
    if allowed is None:
        assert response.status_code == expected, response.content
    else:
        assert response.status_code == allowed
        assert response["Content-Type"] == PROBLEM
        assert snapshot() == before


def test_superuser_needs_no_group(client_for, catalog):
    root = UserFactory.create(is_staff=True, is_superuser=True)
    assert client_for(root).get(f"{STAFF}products/").status_code == 200


# --- categories ---------------------------------------------------------------------------


def test_category_create_list_get(staff_api, catalog):
    response = staff_api.post(
        f"{STAFF}categories/",
        {
            "name": "Polos",
            "slug": "polos",
            "description": "Short sleeves.",
            "parent": catalog.shirts.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created == {
        "id": created["id"],
        "name": "Polos",
        "slug": "polos",
        "description": "Short sleeves.",
        "sort_order": 0,
        "depth": 3,
        "parent": catalog.shirts.pk,
    }
    assert staff_api.get(f"{STAFF}categories/{created['id']}/").json() == created

    listed = staff_api.get(f"{STAFF}categories/").json()["results"]
    assert [(c["slug"], c["parent"]) for c in listed] == [
        ("audio", None),
        ("clothing", None),
        ("shirts", catalog.clothing.pk),
        ("polos", catalog.shirts.pk),
    ]


def test_category_rename_and_move(staff_api, catalog):
    url = f"{STAFF}categories/{catalog.shirts.pk}/"
    response = staff_api.patch(url, {"name": "Tops", "parent": catalog.audio.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Tops"
    assert response.json()["parent"] == catalog.audio.pk
    assert Category.objects.get_parent(Category.objects.get(pk=catalog.shirts.pk)) == catalog.audio

    response = staff_api.patch(url, {"parent": None}, format="json")
    assert response.json()["parent"] is None
    assert response.json()["depth"] == 1
    # The products stay where they were.
    assert Product.objects.filter(category=catalog.shirts).count() == 2


def test_category_cannot_move_below_itself(staff_api, catalog):
    response = staff_api.patch(
        f"{STAFF}categories/{catalog.clothing.pk}/", {"parent": catalog.shirts.pk}, format="json"
    )
    assert_problem(response, 400, "unknown_reference", "parent")
    assert Category.objects.get(pk=catalog.clothing.pk).depth == 1


def test_category_patch_keeps_the_parent_when_not_given(staff_api, catalog):
    response = staff_api.patch(
        f"{STAFF}categories/{catalog.shirts.pk}/", {"sort_order": 5}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["parent"] == catalog.clothing.pk
    assert response.json()["sort_order"] == 5


@pytest.mark.parametrize("category", ["clothing", "audio"])  # has a child / has products
def test_deleting_a_category_that_is_not_empty_is_409(staff_api, catalog, category):
    target = getattr(catalog, category)
    before = snapshot()
    response = staff_api.delete(f"{STAFF}categories/{target.pk}/")
    assert_problem(response, 409, "category_not_empty")
    assert snapshot() == before


def test_delete_an_empty_category(staff_api, catalog):
    empty = services.category_create(name="Empty", slug="empty", parent=catalog.clothing)
    assert staff_api.delete(f"{STAFF}categories/{empty.pk}/").status_code == 204
    assert not Category.objects.filter(pk=empty.pk).exists()
    assert Category.objects.get(pk=catalog.clothing.pk).numchild == 1


@pytest.mark.parametrize(
    "url",
    [
        "categories/987654/",
        "brands/987654/",
        "attributes/987654/",
        "product-types/987654/",
        "products/987654/",
        "variants/987654/",
    ],
)
def test_unknown_ids_are_404(staff_api, catalog, url):
    response = staff_api.get(f"{STAFF}{url}")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


def test_unknown_image_is_404(staff_api, catalog):
    assert staff_api.delete(f"{STAFF}images/987654/").status_code == 404


# --- brands, attributes, product types -----------------------------------------------------


def test_brand_operations(staff_api, catalog):
    response = staff_api.post(f"{STAFF}brands/", {"name": "Nova", "slug": "nova"}, format="json")
    assert response.status_code == 201
    brand = response.json()
    assert brand == {"id": brand["id"], "name": "Nova", "slug": "nova"}
    listed = staff_api.get(f"{STAFF}brands/").json()["results"]
    assert [b["slug"] for b in listed] == ["acme", "nova", "zenith"]
    response = staff_api.patch(f"{STAFF}brands/{brand['id']}/", {"slug": "nova-x"}, format="json")
    assert response.json()["slug"] == "nova-x"
    assert staff_api.get(f"{STAFF}brands/{brand['id']}/").json()["slug"] == "nova-x"
    assert staff_api.delete(f"{STAFF}brands/{brand['id']}/").status_code == 204
    assert not Brand.objects.filter(pk=brand["id"]).exists()


def test_deleting_a_brand_in_use_is_409(staff_api, catalog):
    response = staff_api.delete(f"{STAFF}brands/{catalog.acme.pk}/")
    assert_problem(response, 409, "in_use")
    assert Brand.objects.filter(pk=catalog.acme.pk).exists()


def test_attribute_operations(staff_api, catalog):
    response = staff_api.post(
        f"{STAFF}attributes/",
        {
            "name": "Material",
            "slug": "material",
            "values": [{"name": "Linen", "slug": "linen"}, {"name": "Wool", "slug": "wool"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    attribute = response.json()
    assert [(v["slug"], v["sort_order"]) for v in attribute["values"]] == [
        ("linen", 0),
        ("wool", 1),
    ]
    url = f"{STAFF}attributes/{attribute['id']}/"

    response = staff_api.post(
        f"{url}values/", {"name": "Silk", "slug": "silk", "sort_order": 9}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["attribute"] == attribute["id"]

    response = staff_api.patch(url, {"name": "Fabric"}, format="json")
    assert response.json()["name"] == "Fabric"
    body = staff_api.get(url).json()
    assert [v["slug"] for v in body["values"]] == ["linen", "wool", "silk"]
    listed = staff_api.get(f"{STAFF}attributes/").json()["results"]
    assert [a["slug"] for a in listed] == ["color", "material", "size"]

    assert staff_api.delete(url).status_code == 204
    assert not AttributeValue.objects.filter(attribute_id=attribute["id"]).exists()


def test_duplicate_value_slug_is_409_and_saves_nothing(staff_api, catalog):
    before = snapshot()
    response = staff_api.post(
        f"{STAFF}attributes/{catalog.color.pk}/values/",
        {"name": "Red again", "slug": "red"},
        format="json",
    )
    assert_problem(response, 409, "slug_taken", "slug")
    assert snapshot() == before


def test_repeated_value_slugs_in_a_new_attribute_are_400(staff_api, catalog):
    before = snapshot()
    response = staff_api.post(
        f"{STAFF}attributes/",
        {
            "name": "Fit",
            "slug": "fit",
            "values": [{"name": "Slim", "slug": "slim"}, {"name": "Slim 2", "slug": "slim"}],
        },
        format="json",
    )
    assert_problem(response, 400, "invalid", "values")
    assert snapshot() == before


def test_product_type_operations(staff_api, catalog):
    response = staff_api.post(
        f"{STAFF}product-types/",
        {
            "name": "Shoe",
            "slug": "shoe",
            "product_attributes": [catalog.color.pk],
            "variant_attributes": [catalog.size.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["product_attributes"] == [catalog.color.pk]
    assert created["variant_attributes"] == [catalog.size.pk]
    url = f"{STAFF}product-types/{created['id']}/"

    response = staff_api.patch(
        url, {"product_attributes": [], "variant_attributes": [catalog.color.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["product_attributes"] == []
    assert response.json()["variant_attributes"] == [catalog.color.pk]
    assert staff_api.get(url).json()["name"] == "Shoe"
    listed = staff_api.get(f"{STAFF}product-types/").json()["results"]
    assert [t["slug"] for t in listed] == ["apparel", "gadget", "shoe"]

    assert staff_api.delete(url).status_code == 204
    assert not ProductType.objects.filter(pk=created["id"]).exists()


def test_deleting_a_product_type_in_use_is_409(staff_api, catalog):
    response = staff_api.delete(f"{STAFF}product-types/{catalog.apparel.pk}/")
    assert_problem(response, 409, "in_use")
    assert ProductType.objects.filter(pk=catalog.apparel.pk).exists()


# --- products -------------------------------------------------------------------------------


def test_product_list_shows_everything_newest_first(staff_api, catalog):
    response = staff_api.get(f"{STAFF}products/")
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["results"]] == [
        "secret-prototype",
        "pocket-speaker",
        "wireless-headphones",
        "blue-oxford-shirt",
        "red-linen-shirt",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=SHIRT", {"red-linen-shirt", "blue-oxford-shirt"}),
        ("is_published=false", {"secret-prototype"}),
        ("is_published=true&search=pocket", {"pocket-speaker"}),
        ("category={audio}", {"wireless-headphones", "pocket-speaker", "secret-prototype"}),
        ("category={shirts}&search=red", {"red-linen-shirt"}),
    ],
)
def test_product_list_filters(staff_api, catalog, query, expected):
    query = query.format(audio=catalog.audio.pk, shirts=catalog.shirts.pk)
    response = staff_api.get(f"{STAFF}products/?{query}")
    assert response.status_code == 200, response.content
    assert {p["slug"] for p in response.json()["results"]} == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("is_published=yes", "is_published"),
        ("category=987654", "category"),
        ("category=abc", "category"),
        ("page_size=0", "page_size"),
        ("search=a%00b", "search"),
    ],
)
def test_bad_product_list_filters_are_400(staff_api, catalog, query, field):
    assert_problem(staff_api.get(f"{STAFF}products/?{query}"), 400, "invalid", field)


def test_product_list_pages_cover_every_product_once(staff_api, catalog):
    seen, url = [], f"{STAFF}products/?page_size=2"
    while url:
        body = staff_api.get(url).json()
        seen += [p["slug"] for p in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == Product.objects.count()


@pytest.mark.parametrize(
    "url", ["products/", "categories/", "brands/", "attributes/", "product-types/"]
)
def test_list_query_count_does_not_grow_with_rows(staff_api, catalog, url):
    counts = []
    for size in (1, 20):
        with CaptureQueriesContext(connection) as queries:
            assert staff_api.get(f"{STAFF}{url}?page_size={size}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_product_create_and_read(staff_api, catalog):
    response = staff_api.post(
        f"{STAFF}products/",
        {
            "product_type": catalog.apparel.pk,
            "category": catalog.shirts.pk,
            "brand": catalog.acme.pk,
            "name": "Green polo",
            "slug": "green-polo",
            "description": "Pique cotton.",
            "seo_title": "Green polo shirt",
            "seo_description": "A green polo.",
            "attributes": [catalog.red.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["product_type"] == catalog.apparel.pk
    assert body["category"] == catalog.shirts.pk
    assert body["brand"] == catalog.acme.pk
    assert body["is_published"] is False
    assert body["published_at"] is None
    assert body["price_min"] is None
    assert [(a["attribute_slug"], a["slug"]) for a in body["attributes"]] == [("color", "red")]
    assert body["variants"] == []
    assert body["images"] == []
    assert staff_api.get(f"{STAFF}products/{body['id']}/").json() == body


def test_product_detail_shows_unpublished_products_with_variants(staff_api, catalog):
    body = staff_api.get(f"{STAFF}products/{catalog.hidden.pk}/").json()
    assert body["is_published"] is False
    assert [(v["sku"], v["price"]) for v in body["variants"]] == [("secret-prototype-0", "999.00")]


def test_product_detail_query_count_does_not_grow_with_variants(staff_api, catalog):
    url = f"{STAFF}products/{catalog.red_shirt.pk}/"
    with CaptureQueriesContext(connection) as first:
        staff_api.get(url)
    for index in range(3):
        services.variant_create(
            product=catalog.red_shirt,
            sku=f"extra-{index}",
            price=Decimal("1.00"),
            attributes=[catalog.small],
        )
        services.image_create(product=catalog.red_shirt, image=png())
    with CaptureQueriesContext(connection) as second:
        staff_api.get(url)
    assert len(first) == len(second)


def test_product_patch(staff_api, catalog):
    url = f"{STAFF}products/{catalog.red_shirt.pk}/"
    response = staff_api.patch(
        url,
        {
            "name": "Red shirt",
            "brand": None,
            "category": catalog.clothing.pk,
            "attributes": [catalog.blue.pk],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["brand"], body["category"]) == (
        "Red shirt",
        None,
        catalog.clothing.pk,
    )
    assert [a["slug"] for a in body["attributes"]] == ["blue"]
    assert len(body["variants"]) == 2

    # Without attributes, the list stays as it is.
    response = staff_api.patch(url, {"seo_title": "Red"}, format="json")
    assert [a["slug"] for a in response.json()["attributes"]] == ["blue"]
    response = staff_api.patch(url, {"attributes": []}, format="json")
    assert response.json()["attributes"] == []


def test_product_type_cannot_change(staff_api, catalog):
    response = staff_api.patch(
        f"{STAFF}products/{catalog.red_shirt.pk}/",
        {"product_type": catalog.gadget.pk},
        format="json",
    )
    assert_problem(response, 400, "invalid", "product_type")
    assert Product.objects.get(pk=catalog.red_shirt.pk).product_type == catalog.apparel


def test_product_delete_takes_its_variants(staff_api, catalog):
    assert staff_api.delete(f"{STAFF}products/{catalog.red_shirt.pk}/").status_code == 204
    assert not Product.objects.filter(pk=catalog.red_shirt.pk).exists()
    assert not ProductVariant.objects.filter(product_id=catalog.red_shirt.pk).exists()


def test_publishing_shows_the_product_in_the_public_list(
    api, staff_api, catalog, django_capture_on_commit_callbacks
):
    def public_slugs():
        return [p["slug"] for p in api.get("/api/v1/products/").json()["results"]]

    assert "secret-prototype" not in public_slugs()  # and now cached
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.patch(
            f"{STAFF}products/{catalog.hidden.pk}/", {"is_published": True}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["published_at"] is not None
    assert "secret-prototype" in public_slugs()


# --- variants ------------------------------------------------------------------------------


def test_variant_operations(staff_api, catalog):
    response = staff_api.post(
        f"{STAFF}products/{catalog.red_shirt.pk}/variants/",
        {
            "sku": "RLS-M",
            "price": "18.50",
            "compare_at_price": "25.00",
            "name": "Medium",
            "weight_grams": 200,
            "sort_order": 1,
            "attributes": [catalog.large.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    variant = response.json()
    assert variant == {
        "id": variant["id"],
        "product": catalog.red_shirt.pk,
        "sku": "RLS-M",
        "name": "Medium",
        "price": "18.50",
        "compare_at_price": "25.00",
        "currency": "EUR",
        "weight_grams": 200,
        "sort_order": 1,
        "attributes": [
            {
                "id": catalog.large.pk,
                "attribute": catalog.size.pk,
                "attribute_slug": "size",
                "name": "L",
                "slug": "l",
            }
        ],
        "created_at": variant["created_at"],
        "updated_at": variant["updated_at"],
    }
    assert Product.objects.get(pk=catalog.red_shirt.pk).price_min == Decimal("18.50")

    url = f"{STAFF}variants/{variant['id']}/"
    assert staff_api.get(url).json() == variant
    response = staff_api.patch(
        url, {"price": "30.00", "attributes": [catalog.small.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["price"] == "30.00"
    assert [a["slug"] for a in response.json()["attributes"]] == ["s"]
    assert Product.objects.get(pk=catalog.red_shirt.pk).price_max == Decimal("30.00")

    assert staff_api.delete(url).status_code == 204
    assert not ProductVariant.objects.filter(pk=variant["id"]).exists()
    assert Product.objects.get(pk=catalog.red_shirt.pk).price_max == Decimal("22.00")


# --- images --------------------------------------------------------------------------------


def test_image_upload_and_delete(
    staff_api, catalog, media_root, django_capture_on_commit_callbacks
):
    variant = catalog.red_shirt.variants.first()
    response = staff_api.post(
        f"{STAFF}products/{catalog.red_shirt.pk}/images/",
        {"image": png("front.png"), "alt": "Front", "sort_order": "2", "variant": str(variant.pk)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["alt"], body["sort_order"], body["variant"]) == ("Front", 2, variant.pk)
    assert body["url"].startswith("http://testserver/media/products/")
    stored = media_root / ProductImage.objects.get(pk=body["id"]).image.name
    assert stored.is_file()
    assert Image.open(stored).size == (2, 2)
    detail = staff_api.get(f"{STAFF}products/{catalog.red_shirt.pk}/").json()
    assert [image["id"] for image in detail["images"]] == [body["id"]]

    with django_capture_on_commit_callbacks(execute=True):
        assert staff_api.delete(f"{STAFF}images/{body['id']}/").status_code == 204
    assert not ProductImage.objects.filter(pk=body["id"]).exists()
    assert not stored.exists()


@pytest.mark.parametrize(
    ("upload", "field"),
    [
        (SimpleUploadedFile("fake.png", b"not an image", content_type="image/png"), "image"),
        ("png-as-html", "image"),
        (None, "image"),
    ],
)
def test_bad_image_uploads_are_400(staff_api, catalog, media_root, upload, field):
    if upload == "png-as-html":
        upload = png("page.html")
    body = {"alt": "x"} if upload is None else {"image": upload}
    before = snapshot()
    response = staff_api.post(
        f"{STAFF}products/{catalog.speaker.pk}/images/", body, format="multipart"
    )
    assert_problem(response, 400, "invalid", field)
    assert snapshot() == before
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_an_upload_over_the_body_limit_is_413(staff_api, catalog, media_root, settings):
    settings.API_MAX_UPLOAD_BYTES = 64
    before = snapshot()
    response = staff_api.post(
        f"{STAFF}products/{catalog.speaker.pk}/images/", {"image": png()}, format="multipart"
    )
    assert_problem(response, 413, "request_too_large")
    assert snapshot() == before
    assert not media_root.exists()


def test_image_of_another_products_variant_is_400(staff_api, catalog, media_root):
    before = snapshot()
    response = staff_api.post(
        f"{STAFF}products/{catalog.speaker.pk}/images/",
        {"image": png(), "variant": catalog.red_shirt.variants.first().pk},
        format="multipart",
    )
    assert_problem(response, 400, "unknown_reference", "variant")
    assert snapshot() == before


def test_image_upload_needs_multipart(staff_api, catalog):
    response = staff_api.post(
        f"{STAFF}products/{catalog.speaker.pk}/images/", {"alt": "x"}, format="json"
    )
    assert_problem(response, 415, "unsupported_media_type")


# --- bad input saves nothing ------------------------------------------------------------------


def _product(c, **changes):
    body = {
        "product_type": c.apparel.pk,
        "category": c.shirts.pk,
        "name": "New shirt",
        "slug": "new-shirt",
    }
    return {**body, **changes}


# name → ((catalog) → (method, url, body), status, code, field)
BAD_INPUT = {
    "duplicate product slug": (
        lambda c: ("post", "products/", _product(c, slug="red-linen-shirt")),
        409,
        "slug_taken",
        "slug",
    ),
    "value not allowed by the type": (
        lambda c: ("post", "products/", _product(c, attributes=[c.small.pk])),
        400,
        "attribute_not_allowed",
        "attributes",
    ),
    "two values of one attribute": (
        lambda c: ("post", "products/", _product(c, attributes=[c.red.pk, c.blue.pk])),
        400,
        "attribute_not_allowed",
        "attributes",
    ),
    "unknown category": (
        lambda c: ("post", "products/", _product(c, category=987654)),
        400,
        "invalid",
        "category",
    ),
    "huge category id": (
        lambda c: ("post", "products/", _product(c, category=10**30)),
        400,
        "invalid",
        "category",
    ),
    "unknown brand": (
        lambda c: ("post", "products/", _product(c, brand=987654)),
        400,
        "invalid",
        "brand",
    ),
    "unknown product type": (
        lambda c: ("post", "products/", _product(c, product_type=987654)),
        400,
        "invalid",
        "product_type",
    ),
    "unknown attribute value": (
        lambda c: ("post", "products/", _product(c, attributes=[c.red.pk, 987654])),
        400,
        "invalid",
        "attributes.1",
    ),
    "id as a string": (
        lambda c: ("post", "products/", _product(c, category=str(c.shirts.pk))),
        400,
        "invalid",
        "category",
    ),
    "attributes not a list": (
        lambda c: ("post", "products/", _product(c, attributes=c.red.pk)),
        400,
        "invalid",
        "attributes",
    ),
    "name as a number": (
        lambda c: ("post", "products/", _product(c, name=7)),
        400,
        "invalid",
        "name",
    ),
    "is_published as a string": (
        lambda c: ("post", "products/", _product(c, is_published="yes")),
        400,
        "invalid",
        "is_published",
    ),
    "unknown field": (
        lambda c: ("post", "products/", _product(c, colour="red")),
        400,
        "invalid",
        "colour",
    ),
    "missing field": (
        lambda c: ("post", "products/", {"name": "Nameless"}),
        400,
        "invalid",
        "slug",
    ),
    "slug with capitals": (
        lambda c: ("post", "products/", _product(c, slug="New-Shirt")),
        400,
        "invalid",
        "slug",
    ),
    "name too long": (
        lambda c: ("post", "products/", _product(c, name="x" * 251)),
        400,
        "invalid",
        "name",
    ),
    "body not an object": (lambda c: ("post", "products/", ["x"]), 400, "invalid", None),
    "negative price": (
        lambda c: ("post", f"products/{c.speaker.pk}/variants/", {"sku": "N", "price": "-1.00"}),
        400,
        "invalid",
        "price",
    ),
    "price as a JSON number": (
        lambda c: ("post", f"products/{c.speaker.pk}/variants/", {"sku": "N", "price": 9.99}),
        400,
        "invalid",
        "price",
    ),
    "price with three decimals": (
        lambda c: ("post", f"products/{c.speaker.pk}/variants/", {"sku": "N", "price": "1.005"}),
        400,
        "invalid",
        "price",
    ),
    "negative compare-at price": (
        lambda c: (
            "post",
            f"products/{c.speaker.pk}/variants/",
            {"sku": "N", "price": "1.00", "compare_at_price": "-2.00"},
        ),
        400,
        "invalid",
        "compare_at_price",
    ),
    "negative weight": (
        lambda c: (
            "post",
            f"products/{c.speaker.pk}/variants/",
            {"sku": "N", "price": "1.00", "weight_grams": -1},
        ),
        400,
        "invalid",
        "weight_grams",
    ),
    "sort order as a string": (
        lambda c: (
            "post",
            f"products/{c.speaker.pk}/variants/",
            {"sku": "N", "price": "1.00", "sort_order": "1"},
        ),
        400,
        "invalid",
        "sort_order",
    ),
    "duplicate sku": (
        lambda c: (
            "post",
            f"products/{c.speaker.pk}/variants/",
            {"sku": "red-linen-shirt-0", "price": "1.00"},
        ),
        409,
        "sku_taken",
        "sku",
    ),
    "variant value not allowed": (
        lambda c: (
            "post",
            f"products/{c.red_shirt.pk}/variants/",
            {"sku": "N", "price": "1.00", "attributes": [c.red.pk]},
        ),
        400,
        "attribute_not_allowed",
        "attributes",
    ),
    "duplicate category slug": (
        lambda c: ("post", "categories/", {"name": "Audio 2", "slug": "audio", "parent": None}),
        409,
        "slug_taken",
        "slug",
    ),
    "unknown parent": (
        lambda c: ("post", "categories/", {"name": "Orphan", "slug": "orphan", "parent": 987654}),
        400,
        "invalid",
        "parent",
    ),
    "duplicate brand slug": (
        lambda c: ("post", "brands/", {"name": "Acme 2", "slug": "acme"}),
        409,
        "slug_taken",
        "slug",
    ),
    "duplicate attribute slug": (
        lambda c: ("post", "attributes/", {"name": "Colour", "slug": "color"}),
        409,
        "slug_taken",
        "slug",
    ),
    "unknown attribute in a type": (
        lambda c: (
            "post",
            "product-types/",
            {"name": "Y", "slug": "y", "product_attributes": [987654]},
        ),
        400,
        "invalid",
        "product_attributes.0",
    ),
    "duplicate product type slug": (
        lambda c: ("post", "product-types/", {"name": "Y", "slug": "gadget"}),
        409,
        "slug_taken",
        "slug",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_rejected_and_saves_nothing(staff_api, catalog, case):
    prepare, status, code, field = BAD_INPUT[case]
    method, url, body = prepare(catalog)
    before = snapshot()
    response = send(staff_api, method, f"{STAFF}{url}", body)
    assert_problem(response, status, code, field)
    assert snapshot() == before


def test_a_failed_product_patch_changes_nothing(staff_api, catalog):
    """The name is valid but the attribute is not: neither is saved."""
    response = staff_api.patch(
        f"{STAFF}products/{catalog.red_shirt.pk}/",
        {"name": "Renamed", "attributes": [catalog.small.pk]},
        format="json",
    )
    assert_problem(response, 400, "attribute_not_allowed", "attributes")
    product = Product.objects.get(pk=catalog.red_shirt.pk)
    assert product.name == "Red linen shirt"
    assert list(product.attributes.all()) == [catalog.red]


def test_a_patch_to_a_taken_slug_changes_nothing(staff_api, catalog):
    response = staff_api.patch(
        f"{STAFF}products/{catalog.red_shirt.pk}/",
        {"name": "Renamed", "slug": "blue-oxford-shirt"},
        format="json",
    )
    assert_problem(response, 409, "slug_taken", "slug")
    assert Product.objects.get(pk=catalog.red_shirt.pk).name == "Red linen shirt"


def test_a_failed_variant_patch_changes_nothing(staff_api, catalog):
    variant = catalog.red_shirt.variants.first()
    response = staff_api.patch(
        f"{STAFF}variants/{variant.pk}/",
        {"price": "1.00", "sku": "blue-oxford-shirt-0"},
        format="json",
    )
    assert_problem(response, 409, "sku_taken", "sku")
    variant.refresh_from_db()
    assert (variant.sku, variant.price) == ("red-linen-shirt-0", Decimal("20.00"))
    assert Product.objects.get(pk=catalog.red_shirt.pk).price_min == Decimal("20.00")


def test_a_taken_slug_is_named_even_when_it_contains_sku(staff_api, catalog):
    services.product_create(
        product_type=catalog.gadget, category=catalog.audio, name="Skull", slug="skull-tee"
    )
    response = staff_api.post(
        f"{STAFF}products/", _product(catalog, slug="skull-tee"), format="json"
    )
    assert_problem(response, 409, "slug_taken", "slug")


def test_a_category_patch_to_a_taken_slug_changes_nothing(staff_api, catalog):
    response = staff_api.patch(
        f"{STAFF}categories/{catalog.shirts.pk}/",
        {"slug": "audio", "parent": None},
        format="json",
    )
    assert_problem(response, 409, "slug_taken", "slug")
    shirts = Category.objects.get(pk=catalog.shirts.pk)
    assert (shirts.slug, shirts.depth) == ("shirts", 2)
