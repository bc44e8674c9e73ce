"""Reads of the catalog for staff: every object by id, published or not.

The storefront's reads (``selectors``) see only what is visible to shoppers; these
see everything and are meant for the back office. A missing id raises this
domain's not-found error, which the API turns into a 404.
"""

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Length, Substr

from nexus.catalog.errors import (
    CatalogObjectNotFound,
    CategoryNotFound,
    ProductNotFound,
    VariantNotFound,
)
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

# --- categories ------------------------------------------------------------------


def category_list() -> QuerySet[Category]:
    """Every category, parents before their children, each with ``parent_id``."""
    # A parent's path is the child's path less its last step: one indexed lookup.
    parent = Category.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Category.steplen)
    )
    categories: QuerySet[Category] = Category.objects.annotate(
        parent_id=Subquery(parent.values("pk")[:1])
    )
    return categories.order_by("path")


def category_get(*, category_id: int) -> Category:
    try:
        return category_list().get(pk=category_id)
    except Category.DoesNotExist as exc:
        raise CategoryNotFound() from exc


# --- brands, attributes, product types ----------------------------------------------


def brand_list() -> QuerySet[Brand]:
    return Brand.objects.order_by("slug")


def brand_get(*, brand_id: int) -> Brand:
    try:
        return Brand.objects.get(pk=brand_id)
    except Brand.DoesNotExist as exc:
        raise CatalogObjectNotFound("No such brand.") from exc


def attribute_list() -> QuerySet[Attribute]:
    """Attributes with their values (one extra query for all of them)."""
    return Attribute.objects.prefetch_related(
        Prefetch("values", queryset=AttributeValue.objects.order_by("sort_order", "name", "pk"))
    ).order_by("slug")


def attribute_get(*, attribute_id: int) -> Attribute:
    try:
        return attribute_list().get(pk=attribute_id)
    except Attribute.DoesNotExist as exc:
        raise CatalogObjectNotFound("No such attribute.") from exc


def product_type_list() -> QuerySet[ProductType]:
    return ProductType.objects.prefetch_related(
        "product_attributes", "variant_attributes"
    ).order_by("slug")


def product_type_get(*, product_type_id: int) -> ProductType:
    try:
        return product_type_list().get(pk=product_type_id)
    except ProductType.DoesNotExist as exc:
        raise CatalogObjectNotFound("No such product type.") from exc


# --- products, variants, images ---------------------------------------------------------


def product_list() -> QuerySet[Product]:
    """Every product, unpublished ones too; callers narrow and order it."""
    return Product.objects.all()


def _values() -> QuerySet[AttributeValue]:
    return AttributeValue.objects.select_related("attribute")


def _variants() -> QuerySet[ProductVariant]:
    return ProductVariant.objects.prefetch_related(Prefetch("attributes", queryset=_values()))


def product_get(*, product_id: int) -> Product:
    """A product and its type: enough to change it or add to it."""
    try:
        return Product.objects.select_related("product_type").get(pk=product_id)
    except Product.DoesNotExist as exc:
        raise ProductNotFound() from exc


def product_get_detail(*, product_id: int) -> Product:
    """A product with its attribute values, variants and images, in a fixed number of
    queries."""
    try:
        return Product.objects.prefetch_related(
            Prefetch("attributes", queryset=_values()),
            Prefetch("variants", queryset=_variants()),
            Prefetch("images", queryset=ProductImage.objects.all()),
        ).get(pk=product_id)
    except Product.DoesNotExist as exc:
        raise ProductNotFound() from exc


def variant_get(*, variant_id: int) -> ProductVariant:
    try:
        return _variants().select_related("product__product_type").get(pk=variant_id)
    except ProductVariant.DoesNotExist as exc:
        raise VariantNotFound() from exc


def image_get(*, image_id: int) -> ProductImage:
    try:
        return ProductImage.objects.get(pk=image_id)
    except ProductImage.DoesNotExist as exc:
        raise CatalogObjectNotFound("No such image.") from exc
