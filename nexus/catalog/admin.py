"""The catalog in the Django admin, read-only.

Catalog writes must go through the services (they keep prices, the attribute
index and the search vector in step, and drop cached responses); the admin's own
forms would bypass them, so staff change the catalog through /api/v1/staff/.
"""

from typing import ClassVar

from django.contrib import admin

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
from nexus.core.admin import ReadOnlyAdmin, ReadOnlyInline


class VariantInline(ReadOnlyInline):
    model = ProductVariant
    fields = ("sku", "name", "price", "compare_at_price", "currency", "weight_grams")


class ImageInline(ReadOnlyInline):
    model = ProductImage
    fields = ("image", "alt", "variant", "sort_order")


class ValueInline(ReadOnlyInline):
    model = AttributeValue
    fields = ("name", "slug", "sort_order")


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "depth", "numchild")
    ordering = ("path",)
    search_fields = ("name", "slug")


@admin.register(Brand)
class BrandAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")


@admin.register(Attribute)
class AttributeAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug")
    inlines: ClassVar = [ValueInline]


@admin.register(ProductType)
class ProductTypeAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug")


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "brand", "category", "price_min", "is_published")
    list_filter = ("is_published", "product_type")
    list_select_related = ("brand", "category")
    search_fields = ("name", "slug")
    exclude = ("search_vector",)
    inlines: ClassVar = [VariantInline, ImageInline]
