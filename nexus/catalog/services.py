"""Writes to the catalog. Every write bumps the catalog version after commit, so
cached public responses are never served stale past a staff edit."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min, Model, OuterRef, ProtectedError, Subquery
from django.db.models.expressions import CombinedExpression
from django.utils import timezone

from nexus.catalog import cache as catalog_cache
from nexus.catalog.errors import (
    CatalogObjectNotFound,
    CategoryNotEmpty,
    CategoryNotFound,
    InUse,
    ProductNotFound,
    ReferenceGone,
    SkuTaken,
    SlugTaken,
    UnknownReference,
    VariantNotFound,
)
from nexus.catalog.models import (
    Attribute,
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductAttributeIndex,
    ProductImage,
    ProductType,
    ProductVariant,
)
from nexus.catalog.validators import check_attribute_values, check_money
from nexus.core.rows import is_foreign_key_violation, lock_current

P = ParamSpec("P")
R = TypeVar("R")


def changes_catalog(func: Callable[P, R]) -> Callable[P, R]:
    """Run the write in a transaction and invalidate cached catalog reads on commit.

    An object the write refers to (a product, an attribute value) that another request
    deleted meanwhile fails the commit's foreign key check: a conflict, not a 500."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with transaction.atomic():
                result = func(*args, **kwargs)
                transaction.on_commit(catalog_cache.bump_version)
        except IntegrityError as exc:
            if not is_foreign_key_violation(exc):
                raise
            raise ReferenceGone() from exc
        return result

    return wrapper


def _save_unique(instance: Model, *, fields: Sequence[str] = ()) -> None:
    """Save, turning a unique-constraint violation into a domain error on its field."""
    try:
        with transaction.atomic():  # a savepoint keeps the outer transaction usable
            if fields:
                instance.save(update_fields=[*fields])
            else:
                instance.save()
    except IntegrityError as exc:
        # The first line names the constraint or column; later lines quote the values,
        # and a slug such as "skull" must not read as a taken SKU.
        message = str(exc).split("\n", 1)[0]
        if "sku" in message:
            raise SkuTaken(field_errors={"sku": [SkuTaken.default_message]}) from exc
        if "slug" in message:
            raise SlugTaken(field_errors={"slug": [SlugTaken.default_message]}) from exc
        raise


def _apply(instance: Model, changes: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    allowed = set(allowed)
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise UnknownReference(
            "Unknown fields.", field_errors={name: ["Unknown field."] for name in unknown}
        )
    for field, value in changes.items():
        setattr(instance, field, value)
    return list(changes)


# --- categories ------------------------------------------------------------------


@changes_catalog
def category_create(
    *, name: str, slug: str, description: str = "", sort_order: int = 0, parent: Category | None
) -> Category:
    category = Category(name=name, slug=slug, description=description, sort_order=sort_order)
    try:
        with transaction.atomic():
            if parent is None:
                return Category.objects.add_root(instance=category)  # type: ignore[no-any-return]
            parent.refresh_from_db()  # its numchild and path must be current
            return Category.objects.add_child(parent, instance=category)  # type: ignore[no-any-return]
    except IntegrityError as exc:
        raise SlugTaken(field_errors={"slug": [SlugTaken.default_message]}) from exc


_CATEGORY_FIELDS = ("name", "slug", "description", "sort_order")


class _Keep:
    """Marks an argument the caller did not give (``None`` means "no parent")."""


KEEP = _Keep()


@changes_catalog
def category_update(
    *, category: Category, changes: Mapping[str, Any], parent: "Category | _Keep | None" = KEEP
) -> Category:
    """Change a category; a new parent (``None``: top level) moves its whole subtree."""
    lock_current(category, gone=CategoryNotFound())
    fields = _apply(category, changes, _CATEGORY_FIELDS)
    if fields:
        _save_unique(category, fields=fields)
    if isinstance(parent, _Keep) and not {"sort_order", "name"} & set(fields):
        return category
    # Siblings are kept sorted by (sort_order, name): re-place the node among them.
    category.refresh_from_db()
    new_parent = Category.objects.get_parent(category) if isinstance(parent, _Keep) else parent
    if new_parent is None:
        roots = Category.objects.get_root_nodes().exclude(pk=category.pk)
        if roots.exists():
            Category.objects.move(category, roots.first(), "sorted-sibling")
    else:
        new_parent.refresh_from_db()
        if new_parent.path.startswith(category.path):
            raise UnknownReference(
                field_errors={"parent": ["A category cannot move below itself."]}
            )
        Category.objects.move(category, new_parent, "sorted-child")
    category.refresh_from_db()
    return category


@changes_catalog
def category_delete(*, category: Category) -> None:
    category.refresh_from_db()
    if category.numchild or Product.objects.filter(category=category).exists():
        raise CategoryNotEmpty()
    category.delete()


# --- brands, attributes, product types ----------------------------------------------


@changes_catalog
def brand_create(*, name: str, slug: str) -> Brand:
    brand = Brand(name=name, slug=slug)
    _save_unique(brand)
    return brand


@changes_catalog
def brand_update(*, brand: Brand, changes: Mapping[str, Any]) -> Brand:
    lock_current(brand, gone=CatalogObjectNotFound("No such brand."))
    _save_unique(brand, fields=_apply(brand, changes, ("name", "slug")))
    return brand


@changes_catalog
def attribute_create(
    *, name: str, slug: str, values: Sequence[Mapping[str, Any]] = ()
) -> Attribute:
    attribute = Attribute(name=name, slug=slug)
    _save_unique(attribute)
    for order, value in enumerate(values):
        attribute_value_create(
            attribute=attribute, name=value["name"], slug=value["slug"], sort_order=order
        )
    return attribute


@changes_catalog
def attribute_update(*, attribute: Attribute, changes: Mapping[str, Any]) -> Attribute:
    lock_current(attribute, gone=CatalogObjectNotFound("No such attribute."))
    _save_unique(attribute, fields=_apply(attribute, changes, ("name", "slug")))
    return attribute


@changes_catalog
def attribute_value_create(
    *, attribute: Attribute, name: str, slug: str, sort_order: int = 0
) -> AttributeValue:
    value = AttributeValue(attribute=attribute, name=name, slug=slug, sort_order=sort_order)
    _save_unique(value)
    return value


@changes_catalog
def product_type_create(
    *,
    name: str,
    slug: str,
    product_attributes: Sequence[Attribute] = (),
    variant_attributes: Sequence[Attribute] = (),
) -> ProductType:
    product_type = ProductType(name=name, slug=slug)
    _save_unique(product_type)
    product_type.product_attributes.set(product_attributes)
    product_type.variant_attributes.set(variant_attributes)
    return product_type


@changes_catalog
def product_type_update(
    *,
    product_type: ProductType,
    changes: Mapping[str, Any],
    product_attributes: Sequence[Attribute] | None = None,
    variant_attributes: Sequence[Attribute] | None = None,
) -> ProductType:
    lock_current(product_type, gone=CatalogObjectNotFound("No such product type."))
    _save_unique(product_type, fields=_apply(product_type, changes, ("name", "slug")))
    if product_attributes is not None:
        product_type.product_attributes.set(product_attributes)
    if variant_attributes is not None:
        product_type.variant_attributes.set(variant_attributes)
    return product_type


@changes_catalog
def catalog_object_delete(*, instance: Brand | Attribute | AttributeValue | ProductType) -> None:
    """Delete a brand, attribute, value or type that nothing protects any more."""
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, IntegrityError) as exc:
        raise InUse(f"{instance} is still used by products.") from exc


# --- products ---------------------------------------------------------------------


def attribute_index_rebuild(product_ids: Sequence[int]) -> None:
    """Recompute the products' rows of ProductAttributeIndex from both link tables."""
    on_products = Product.attributes.through.objects.filter(product_id__in=product_ids)
    on_variants = ProductVariant.attributes.through.objects.filter(
        productvariant__product_id__in=product_ids
    )
    pairs = set(on_products.values_list("product_id", "attributevalue_id")) | set(
        on_variants.values_list("productvariant__product_id", "attributevalue_id")
    )
    ProductAttributeIndex.objects.filter(product_id__in=product_ids).delete()
    ProductAttributeIndex.objects.bulk_create(
        ProductAttributeIndex(product_id=product_id, value_id=value_id)
        for product_id, value_id in sorted(pairs)
    )


def search_vector(name: Any = "name", description: Any = "description") -> CombinedExpression:
    """A product's search vector: its name weighted A over its description (B).

    Of the columns by default; bulk writers pass ``Value``s to fill it on insert
    rather than writing each new row twice.
    """
    return SearchVector(name, weight="A", config=settings.SEARCH_CONFIG) + SearchVector(
        description, weight="B", config=settings.SEARCH_CONFIG
    )


def refresh_search_vectors(product_ids: Sequence[int] | None = None) -> None:
    """Recompute the stored search vector (PostgreSQL; SQLite searches without it)."""
    if connection.vendor != "postgresql":
        return
    products = Product.objects.all()
    if product_ids is not None:
        products = products.filter(pk__in=product_ids)
    products.update(search_vector=search_vector())


_PRODUCT_FIELDS = (
    "name",
    "slug",
    "description",
    "seo_title",
    "seo_description",
    "category",
    "brand",
    "is_published",
)


@changes_catalog
def product_create(
    *,
    product_type: ProductType,
    category: Category,
    name: str,
    slug: str,
    brand: Brand | None = None,
    description: str = "",
    seo_title: str = "",
    seo_description: str = "",
    is_published: bool = False,
    attributes: Sequence[AttributeValue] = (),
) -> Product:
    check_attribute_values(
        values=attributes, allowed=product_type.product_attributes.all(), field="attributes"
    )
    product = Product(
        product_type=product_type,
        category=category,
        brand=brand,
        name=name,
        slug=slug,
        description=description,
        seo_title=seo_title,
        seo_description=seo_description,
        is_published=is_published,
        published_at=timezone.now() if is_published else None,
        currency=settings.SHOP_CURRENCY,
    )
    _save_unique(product)
    product.attributes.set(attributes)
    attribute_index_rebuild([product.pk])
    refresh_search_vectors([product.pk])
    return product


@changes_catalog
def product_update(
    *,
    product: Product,
    changes: Mapping[str, Any],
    attributes: Sequence[AttributeValue] | None = None,
) -> Product:
    lock_current(product, gone=ProductNotFound())
    fields = _apply(product, changes, _PRODUCT_FIELDS)
    if "is_published" in fields and product.is_published and product.published_at is None:
        product.published_at = timezone.now()
        fields.append("published_at")
    if fields:
        _save_unique(product, fields=[*fields, "updated_at"])
    if attributes is not None:
        check_attribute_values(
            values=attributes,
            allowed=product.product_type.product_attributes.all(),
            field="attributes",
        )
        product.attributes.set(attributes)
        attribute_index_rebuild([product.pk])
    if {"name", "description"} & set(fields):
        refresh_search_vectors([product.pk])
    return product


@changes_catalog
def product_delete(*, product: Product) -> None:
    try:
        with transaction.atomic():
            product.delete()
    except (ProtectedError, IntegrityError) as exc:
        raise InUse("The product is referenced by orders; unpublish it instead.") from exc


# --- variants ---------------------------------------------------------------------


def price_ranges_refresh(product_ids: Sequence[int]) -> None:
    """Set several products' price_min/max from their variants in one statement
    (bulk writers; the variant services keep one product's range themselves)."""
    variants = (
        ProductVariant.objects.filter(product_id=OuterRef("pk")).order_by().values("product_id")
    )
    Product.objects.filter(pk__in=product_ids).update(
        price_min=Subquery(variants.annotate(low=Min("price")).values("low")),
        price_max=Subquery(variants.annotate(high=Max("price")).values("high")),
    )


def _refresh_price_range(product_id: int) -> None:
    prices = ProductVariant.objects.filter(product_id=product_id).aggregate(
        low=Min("price"), high=Max("price")
    )
    Product.objects.filter(pk=product_id).update(price_min=prices["low"], price_max=prices["high"])


_VARIANT_FIELDS = (
    "sku",
    "name",
    "price",
    "compare_at_price",
    "currency",
    "weight_grams",
    "sort_order",
)


@changes_catalog
def variant_create(
    *,
    product: Product,
    sku: str,
    price: Decimal,
    name: str = "",
    compare_at_price: Decimal | None = None,
    currency: str | None = None,
    weight_grams: int | None = None,
    sort_order: int = 0,
    attributes: Sequence[AttributeValue] = (),
) -> ProductVariant:
    currency = currency or settings.SHOP_CURRENCY
    check_money(price=price, compare_at_price=compare_at_price, currency=currency)
    check_attribute_values(
        values=attributes,
        allowed=product.product_type.variant_attributes.all(),
        field="attributes",
    )
    variant = ProductVariant(
        product=product,
        sku=sku,
        name=name,
        price=price,
        compare_at_price=compare_at_price,
        currency=currency,
        weight_grams=weight_grams,
        sort_order=sort_order,
    )
    _save_unique(variant)
    variant.attributes.set(attributes)
    attribute_index_rebuild([product.pk])
    _refresh_price_range(product.pk)
    return variant


@changes_catalog
def variant_update(
    *,
    variant: ProductVariant,
    changes: Mapping[str, Any],
    attributes: Sequence[AttributeValue] | None = None,
) -> ProductVariant:
    lock_current(variant, gone=VariantNotFound())
    fields = _apply(variant, changes, _VARIANT_FIELDS)
    check_money(
        price=variant.price, compare_at_price=variant.compare_at_price, currency=variant.currency
    )
    if fields:
        _save_unique(variant, fields=[*fields, "updated_at"])
    if attributes is not None:
        check_attribute_values(
            values=attributes,
            allowed=variant.product.product_type.variant_attributes.all(),
            field="attributes",
        )
        variant.attributes.set(attributes)
        attribute_index_rebuild([variant.product_id])
    if "price" in fields:
        _refresh_price_range(variant.product_id)
    return variant


@changes_catalog
def variant_delete(*, variant: ProductVariant) -> None:
    product_id = variant.product_id
    try:
        with transaction.atomic():
            variant.delete()
    except (ProtectedError, IntegrityError) as exc:
        raise InUse("The variant is referenced by orders.") from exc
    attribute_index_rebuild([product_id])
    _refresh_price_range(product_id)


# --- images -----------------------------------------------------------------------


@changes_catalog
def image_create(
    *,
    product: Product,
    image: Any,
    alt: str = "",
    sort_order: int = 0,
    variant: ProductVariant | None = None,
) -> ProductImage:
    if variant is not None and variant.product_id != product.pk:
        raise UnknownReference(
            field_errors={"variant": ["The variant belongs to another product."]}
        )
    product_image = ProductImage(
        product=product, variant=variant, image=image, alt=alt, sort_order=sort_order
    )
    product_image.save()
    return product_image


@changes_catalog
def image_delete(*, image: ProductImage) -> None:
    storage, name = image.image.storage, image.image.name
    image.delete()
    if name:
        # The file goes only once the row is surely gone.
        transaction.on_commit(lambda: storage.delete(name))
