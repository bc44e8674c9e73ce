"""The catalog: a category tree, brands, typed attributes, products and their variants.

Prices are ``Decimal`` in the shop's currency. A product's ``price_min``/``price_max``
mirror its variants' prices (kept by the variant services) so that price filters and
ordering are one indexed column, not an aggregate per row.
"""

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from treebeard.mp_tree import MP_Node


class Category(MP_Node):
    """A node of the category tree; ``path`` makes "this and all below" one prefix query."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    sort_order = models.IntegerField(default=0)

    node_order_by: ClassVar[list[str]] = ["sort_order", "name"]

    class Meta:
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Attribute(models.Model):
    """A property with a fixed list of values, such as colour or size."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class AttributeValue(models.Model):
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="values")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["attribute_id", "sort_order", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["attribute", "slug"], name="catalog_value_slug_unique")
        ]

    def __str__(self) -> str:
        return f"{self.attribute.name}: {self.name}"


class ProductType(models.Model):
    """Declares which attributes its products, and their variants, carry."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    product_attributes = models.ManyToManyField(Attribute, blank=True, related_name="product_types")
    variant_attributes = models.ManyToManyField(
        Attribute, blank=True, related_name="variant_product_types"
    )

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    product_type = models.ForeignKey(ProductType, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, null=True, blank=True, related_name="products"
    )
    name = models.CharField(max_length=250)
    slug = models.SlugField(max_length=250, unique=True)
    description = models.TextField(blank=True)
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    seo_title = models.CharField(max_length=70, blank=True)
    seo_description = models.CharField(max_length=300, blank=True)
    attributes = models.ManyToManyField(AttributeValue, blank=True, related_name="products")
    price_min = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default=settings.SHOP_CURRENCY)
    # Weighted name (A) over description (B); kept by the services, PostgreSQL only.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["is_published", "-published_at", "-id"], name="product_published"),
            models.Index(fields=["price_min", "id"], name="product_price"),
            models.Index(fields=["name", "id"], name="product_name"),
            GinIndex(fields=["search_vector"], name="product_search_vector"),
            GinIndex(fields=["name"], name="product_name_trigram", opclasses=["gin_trgm_ops"]),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(price_min__gte=0) | models.Q(price_min__isnull=True),
                name="product_price_min_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProductVariant(models.Model):
    """What is actually sold: one SKU, with its own price and attribute values."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=250, blank=True)
    attributes = models.ManyToManyField(AttributeValue, blank=True, related_name="variants")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    compare_at_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default=settings.SHOP_CURRENCY)
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    sort_order = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["sort_order", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="variant_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(compare_at_price__gte=0)
                | models.Q(compare_at_price__isnull=True),
                name="variant_compare_at_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} ({self.sku})"


class ProductAttributeIndex(models.Model):
    """Every attribute value a product offers, set on the product or on any variant.

    Derived from the two link tables and rebuilt by the services whenever either
    changes. Attribute filters and facet counts read this one table: a value is
    counted once per product however many variants carry it, without a
    ``COUNT(DISTINCT …)`` over every variant link.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    value = models.ForeignKey(AttributeValue, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["product", "value"], name="attribute_index_unique")
        ]
        indexes: ClassVar = [
            models.Index(fields=["value", "product"], name="attribute_index_by_value")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.value_id}"


class ProductImage(models.Model):
    """An image file in the configured storage (local disk, or S3 by setting)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, null=True, blank=True, related_name="images"
    )
    image = models.ImageField(upload_to="products/%Y/%m/", max_length=300)
    alt = models.CharField(max_length=250, blank=True)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.alt or self.image.name or ""
