"""seed_catalog: deterministic, consistent, and the shop works normally after it."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max, Min

from nexus.catalog import services
from nexus.catalog.models import Category, Product, ProductVariant
from nexus.demo.catalog_seed import seed_catalog
from nexus.inventory.models import Stock

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Product.objects.order_by("pk").values_list(
            "slug",
            "name",
            "brand__slug",
            "category__slug",
            "price_min",
            "price_max",
            "is_published",
        )
    )


def test_same_seed_same_catalog():
    seed_catalog(products=40, seed=5)
    first = snapshot()
    variants = list(ProductVariant.objects.order_by("pk").values_list("sku", "price"))
    Product.objects.all().delete()
    Category.objects.all().delete()
    from nexus.catalog.models import Attribute, Brand, ProductType  # noqa: PLC0415

    ProductType.objects.all().delete()
    Attribute.objects.all().delete()
    Brand.objects.all().delete()
    seed_catalog(products=40, seed=5)
    assert [row[1:] for row in snapshot()] == [row[1:] for row in first]
    assert list(ProductVariant.objects.order_by("pk").values_list("sku", "price")) == variants


def test_seeded_rows_are_consistent():
    assert seed_catalog(products=60, seed=2) == 60
    assert Product.objects.count() == 60
    for product in Product.objects.annotate(
        low=Min("variants__price"), high=Max("variants__price")
    ):
        assert (product.price_min, product.price_max) == (product.low, product.high)
    assert Stock.objects.count() == ProductVariant.objects.count()
    assert not Product.objects.filter(search_vector__isnull=True).exists()
    assert Product.objects.filter(is_published=True).count() > 50


def test_ordinary_writes_continue_after_the_explicit_ids():
    seed_catalog(products=10, seed=1)
    product = Product.objects.first()
    assert product is not None
    variant = services.variant_create(product=product, sku="AFTER-SEED", price=Decimal("1.00"))
    assert variant.pk > ProductVariant.objects.exclude(pk=variant.pk).aggregate(m=Max("pk"))["m"]


def test_the_command_reports_and_refuses_a_non_empty_catalog():
    out = StringIO()
    call_command("seed_catalog", "--products", "5", "--seed", "3", "--quiet", stdout=out)
    assert "5 products written" in out.getvalue()
    with pytest.raises(CommandError, match="not empty"):
        call_command("seed_catalog", "--products", "5", "--quiet")


def test_the_attribute_index_matches_what_the_services_would_build():
    from nexus.catalog.models import ProductAttributeIndex  # noqa: PLC0415

    seed_catalog(products=30, seed=4)
    seeded = set(ProductAttributeIndex.objects.values_list("product_id", "value_id"))
    services.attribute_index_rebuild(list(Product.objects.values_list("pk", flat=True)))
    assert set(ProductAttributeIndex.objects.values_list("product_id", "value_id")) == seeded
    assert seeded
