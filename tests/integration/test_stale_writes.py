"""Writes to an object another request deleted after this one read it: a 404, or a 409
when it is something the write refers to, never a 500. The fuzzing gate found it with
staff operations running side by side: a variant's PATCH saved a row its DELETE had
just removed ("Save with update_fields did not affect any rows")."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from nexus.catalog import services as catalog_services
from nexus.catalog.errors import (
    CatalogObjectNotFound,
    CategoryNotFound,
    ProductNotFound,
    ReferenceGone,
    VariantNotFound,
)
from nexus.catalog.models import Attribute, AttributeValue
from nexus.core.errors import DomainError
from nexus.inventory import services as inventory
from nexus.inventory.errors import WarehouseNotFound
from nexus.webhooks import services as webhooks
from nexus.webhooks.errors import WebhookEndpointNotFound
from nexus.webhooks.models import WebhookEndpoint

WEBHOOK_URL = "http://127.0.0.1:9/hook"


def _variant(shop: Any) -> Any:
    return catalog_services.variant_create(product=shop.speaker, sku="GONE-1", price=Decimal(5))


def _endpoint(shop: Any) -> WebhookEndpoint:
    return webhooks.endpoint_create(url=WEBHOOK_URL, event_types=["order.placed"])


# (make the object, update it, the error when it is gone)
UPDATES: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any], type[DomainError]]] = {
    "variant": (
        _variant,
        lambda v: catalog_services.variant_update(
            variant=v, changes={"compare_at_price": Decimal(0)}
        ),
        VariantNotFound,
    ),
    "product": (
        lambda shop: catalog_services.product_create(
            product_type=shop.gadget, category=shop.audio, brand=None, name="Gone", slug="gone"
        ),
        lambda p: catalog_services.product_update(product=p, changes={"name": "Still here?"}),
        ProductNotFound,
    ),
    "category": (
        lambda shop: catalog_services.category_create(name="Gone", slug="gone", parent=None),
        lambda c: catalog_services.category_update(category=c, changes={"name": "Still here?"}),
        CategoryNotFound,
    ),
    "brand": (
        lambda shop: catalog_services.brand_create(name="Gone", slug="gone"),
        lambda b: catalog_services.brand_update(brand=b, changes={"name": "Still here?"}),
        CatalogObjectNotFound,
    ),
    "attribute": (
        lambda shop: catalog_services.attribute_create(name="Gone", slug="gone"),
        lambda a: catalog_services.attribute_update(attribute=a, changes={"name": "Still here?"}),
        CatalogObjectNotFound,
    ),
    "product type": (
        lambda shop: catalog_services.product_type_create(name="Gone", slug="gone"),
        lambda t: catalog_services.product_type_update(
            product_type=t, changes={"name": "Still here?"}
        ),
        CatalogObjectNotFound,
    ),
    "warehouse": (
        lambda shop: inventory.warehouse_create(name="Gone", slug="gone"),
        lambda w: inventory.warehouse_update(warehouse=w, changes={"name": "Still here?"}),
        WarehouseNotFound,
    ),
    "webhook endpoint": (
        _endpoint,
        lambda e: webhooks.endpoint_update(endpoint=e, changes={"description": "Still here?"}),
        WebhookEndpointNotFound,
    ),
    "webhook secret": (
        _endpoint,
        lambda e: webhooks.endpoint_rotate_secret(endpoint=e),
        WebhookEndpointNotFound,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", UPDATES)
def test_an_update_of_an_object_deleted_meanwhile_is_not_found(catalog, settings, kind):
    settings.OUTGOING_WEBHOOK_ALLOW_PRIVATE_URLS = True
    make, update, gone = UPDATES[kind]
    read = make(catalog)  # what the view read
    type(read).objects.filter(pk=read.pk).delete()  # another request, in between
    with pytest.raises(gone):
        update(read)
    assert not type(read).objects.filter(pk=read.pk).exists()  # not saved back


@pytest.mark.django_db(transaction=True)
def test_a_write_referring_to_an_object_deleted_meanwhile_is_a_conflict():
    # Foreign keys are checked at commit, once the row is written: a value of an
    # attribute deleted meanwhile failed there, as a 500.
    attribute = catalog_services.attribute_create(name="Fit", slug="fit")
    Attribute.objects.filter(pk=attribute.pk).delete()
    with pytest.raises(ReferenceGone):
        catalog_services.attribute_value_create(attribute=attribute, name="Slim", slug="slim")
    assert not AttributeValue.objects.filter(slug="slim").exists()
