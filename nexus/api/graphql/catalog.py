"""The public catalog: the same selectors, filters and orderings as REST."""

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from rest_framework import serializers
from strawberry.types import Info

from nexus.api.graphql.context import request_of
from nexus.api.graphql.errors import domain_error, input_error
from nexus.api.graphql.pagination import Connection, connection, paginate
from nexus.api.rest.catalog.views import product_query_from
from nexus.catalog import selectors
from nexus.catalog.errors import CategoryNotFound, ProductNotFound
from nexus.catalog.models import AttributeValue as AttributeValueModel
from nexus.catalog.models import Category as CategoryModel
from nexus.catalog.models import Product as ProductModel
from nexus.catalog.models import ProductImage
from nexus.catalog.models import ProductVariant as VariantModel
from nexus.catalog.selectors import ORDERINGS, ProductFilters


@strawberry.type
class Brand:
    name: str
    slug: str


@strawberry.type
class CategoryRef:
    id: int
    name: str
    slug: str


@strawberry.type(description="A node of the category tree, with the nodes below it.")
class CategoryNode:
    id: int
    name: str
    slug: str
    description: str
    depth: int
    children: list["CategoryNode"]


@strawberry.type
class Category:
    id: int
    name: str
    slug: str
    description: str
    depth: int
    ancestors: list[CategoryRef]
    children: list[CategoryRef]


@strawberry.type
class ProductListItem:
    id: int
    name: str
    slug: str
    brand: Brand | None
    category: CategoryRef
    price_min: Decimal | None
    price_max: Decimal | None
    currency: str
    thumbnail: str | None
    thumbnail_alt: str | None
    in_stock: bool
    published_at: datetime


@strawberry.type
class AttributeValue:
    attribute: str
    attribute_name: str
    slug: str
    name: str


@strawberry.type
class Image:
    id: int
    url: str
    alt: str
    sort_order: int
    variant: int | None


@strawberry.type
class Variant:
    id: int
    sku: str
    name: str
    price: Decimal
    compare_at_price: Decimal | None
    currency: str
    weight_grams: int | None
    attributes: list[AttributeValue]
    quantity_available: int
    in_stock: bool


@strawberry.type
class Product:
    id: int
    name: str
    slug: str
    description: str
    brand: Brand | None
    category: CategoryRef
    product_type: str
    seo_title: str
    seo_description: str
    price_min: Decimal | None
    price_max: Decimal | None
    currency: str
    in_stock: bool
    attributes: list[AttributeValue]
    variants: list[Variant]
    images: list[Image]
    published_at: datetime


@strawberry.type
class FacetValue:
    slug: str
    name: str
    count: int


@strawberry.type
class AttributeFacet:
    attribute: str
    attribute_name: str
    slug: str
    name: str
    count: int


@strawberry.type
class PriceFacet:
    min: Decimal
    max: Decimal | None
    count: int


@strawberry.type
class Facets:
    categories: list[FacetValue]
    brands: list[FacetValue]
    attributes: list[AttributeFacet]
    prices: list[PriceFacet]


@strawberry.enum
class ProductOrdering(enum.Enum):
    NEWEST = "newest"
    PRICE = "price"
    PRICE_DESC = "-price"
    NAME = "name"
    NAME_DESC = "-name"
    RELEVANCE = "relevance"


@strawberry.input
class AttributeFilter:
    attribute: str = strawberry.field(description="Attribute slug, e.g. color.")
    values: list[str] = strawberry.field(description="Value slugs; any of them matches.")


@strawberry.input(description="The same filters as REST's product list; all combine with AND.")
class ProductFilter:
    category: str | None = strawberry.field(default=None, description="Includes all below it.")
    brands: list[str] | None = strawberry.field(default=None, description="Any of these.")
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None
    attributes: list[AttributeFilter] | None = None
    search: str | None = strawberry.field(
        default=None, description="Full-text on name and description; tolerates typos in names."
    )


def _product_query(
    given_filter: ProductFilter | None, ordering: ProductOrdering | None
) -> tuple[ProductFilters, str]:
    given = given_filter or ProductFilter()
    params: dict[str, Any] = {
        "category": given.category,
        "brand": ",".join(given.brands) if given.brands is not None else None,
        "min_price": given.min_price,
        "max_price": given.max_price,
        "in_stock": None if given.in_stock is None else str(given.in_stock).lower(),
        "search": given.search,
        "ordering": ordering.value if ordering else None,
    }
    attributes = [(f"attr.{a.attribute}", a.values) for a in given.attributes or ()]
    try:
        return product_query_from(
            {name: value for name, value in params.items() if value is not None}, attributes
        )
    except serializers.ValidationError as exc:
        raise input_error(exc) from exc


CENT = Decimal("0.01")


def _money(amount: Decimal | None) -> Decimal | None:
    """Two decimal places, as REST writes money."""
    return None if amount is None else amount.quantize(CENT)


def _image_url(info: Info[Any, Any], name: str) -> str:
    return request_of(info).build_absolute_uri(ProductImage.image.field.storage.url(name))


def product_list_item(row: dict[str, Any], info: Info[Any, Any]) -> ProductListItem:
    thumbnail = row["thumbnail"]
    return ProductListItem(
        id=row["id"],
        name=row["name"],
        slug=row["slug"],
        brand=Brand(name=row["brand__name"], slug=row["brand__slug"])
        if row["brand__slug"] is not None
        else None,
        category=CategoryRef(
            id=row["category_id"], name=row["category__name"], slug=row["category__slug"]
        ),
        price_min=row["price_min"],
        price_max=row["price_max"],
        currency=row["currency"],
        thumbnail=ProductImage.image.field.storage.url(thumbnail) if thumbnail else None,
        thumbnail_alt=row["thumbnail_alt"],
        in_stock=row["stocked_variant"] is not None,
        published_at=row["published_at"],
    )


def _attribute_value(value: AttributeValueModel) -> AttributeValue:
    return AttributeValue(
        attribute=value.attribute.slug,
        attribute_name=value.attribute.name,
        slug=value.slug,
        name=value.name,
    )


def _variant(variant: VariantModel) -> Variant:
    available = int(getattr(variant, "quantity_available", 0))
    return Variant(
        id=variant.pk,
        sku=variant.sku,
        name=variant.name,
        price=variant.price,
        compare_at_price=variant.compare_at_price,
        currency=variant.currency,
        weight_grams=variant.weight_grams,
        attributes=[_attribute_value(v) for v in variant.attributes.all()],
        quantity_available=available,
        in_stock=available > 0,
    )


def _product(product: ProductModel, info: Info[Any, Any]) -> Product:
    variants = [_variant(v) for v in product.variants.all()]
    return Product(
        id=product.pk,
        name=product.name,
        slug=product.slug,
        description=product.description,
        brand=Brand(name=product.brand.name, slug=product.brand.slug) if product.brand else None,
        category=CategoryRef(
            id=product.category.pk, name=product.category.name, slug=product.category.slug
        ),
        product_type=product.product_type.slug,
        seo_title=product.seo_title,
        seo_description=product.seo_description,
        price_min=product.price_min,
        price_max=product.price_max,
        currency=product.currency,
        in_stock=any(v.in_stock for v in variants),
        attributes=[_attribute_value(v) for v in product.attributes.all()],
        variants=variants,
        images=[
            Image(
                id=image.pk,
                url=_image_url(info, str(image.image.name)),
                alt=image.alt,
                sort_order=image.sort_order,
                variant=image.variant_id,
            )
            for image in product.images.all()
        ],
        published_at=product.published_at,  # type: ignore[arg-type]  # visible: published
    )


def _category_node(node: dict[str, Any]) -> CategoryNode:
    return CategoryNode(
        id=node["id"],
        name=node["name"],
        slug=node["slug"],
        description=node["description"],
        depth=node["depth"],
        children=[_category_node(child) for child in node["children"]],
    )


def _ref(category: CategoryModel) -> CategoryRef:
    return CategoryRef(id=category.pk, name=category.name, slug=category.slug)


@strawberry.type
class Query:
    @strawberry.field(description="The whole category tree.")
    def categories(self) -> list[CategoryNode]:
        return [_category_node(node) for node in selectors.category_tree()]

    @strawberry.field(description="One category with its ancestors and children; null if none.")
    def category(self, slug: str) -> Category | None:
        try:
            category = selectors.category_get(slug=slug)
        except CategoryNotFound:
            return None
        return Category(
            id=category.pk,
            name=category.name,
            slug=category.slug,
            description=category.description,
            depth=category.depth,
            ancestors=[_ref(c) for c in CategoryModel.objects.get_ancestors(category)],
            children=[_ref(c) for c in CategoryModel.objects.get_children(category)],
        )

    @strawberry.field(description="Published products, filtered, searched and ordered.")
    def products(
        self,
        info: Info[Any, Any],
        filter: ProductFilter | None = None,  # noqa: A002 — the argument's public name
        ordering: ProductOrdering | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ProductListItem]:
        filters, chosen = _product_query(filter, ordering)
        try:
            rows = selectors.product_list_visible(filters=filters)
            page = paginate(rows, ordering=ORDERINGS[chosen], first=first, after=after)
        except CategoryNotFound as exc:
            raise domain_error(exc) from exc
        return connection(page, lambda row: product_list_item(row, info))

    @strawberry.field(description="Counts per category, brand, attribute value and price.")
    def product_facets(self, filter: ProductFilter | None = None) -> Facets:  # noqa: A002
        filters, _ = _product_query(filter, None)
        try:
            facets = selectors.product_facets(filters=filters)
        except CategoryNotFound as exc:
            raise domain_error(exc) from exc
        return Facets(
            categories=[FacetValue(**v) for v in facets["categories"]],
            brands=[FacetValue(**v) for v in facets["brands"]],
            attributes=[AttributeFacet(**v) for v in facets["attributes"]],
            prices=[
                PriceFacet(min=v["min"].quantize(CENT), max=_money(v["max"]), count=v["count"])
                for v in facets["prices"]
            ],
        )

    @strawberry.field(description="One published product; null if there is none.")
    def product(self, info: Info[Any, Any], slug: str) -> Product | None:
        try:
            return _product(selectors.product_get_visible(slug=slug), info)
        except ProductNotFound:
            return None
