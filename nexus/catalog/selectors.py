"""Reads of the catalog, tuned for the storefront: a list page is one or two queries.

Search uses PostgreSQL full-text search over a stored, GIN-indexed vector (name
weighted above description) together with trigram word similarity on the name, so
a misspelt word still finds its product. On the embedded SQLite database it falls
back to a plain substring match.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from nexus.catalog import cache as catalog_cache
from nexus.catalog.errors import CategoryNotFound, ProductNotFound
from nexus.catalog.models import (
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductAttributeIndex,
    ProductImage,
    ProductVariant,
)

# Upper bounds of the price facet's buckets; the last bucket is open-ended.
PRICE_BUCKET_EDGES: tuple[Decimal, ...] = tuple(
    Decimal(edge) for edge in ("10", "25", "50", "100", "250", "500", "1000")
)
# Relevance is compared by the cursor paginator; as an integer it compares exactly.
_RELEVANCE_SCALE = 1_000_000


@dataclass(frozen=True)
class ProductFilters:
    """What a storefront can narrow the product list by. Empty means no filter."""

    category: str | None = None
    brands: Sequence[str] = ()
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None
    # attribute slug → accepted value slugs (any of them); attributes combine with AND
    attributes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    search: str | None = None


# --- categories ------------------------------------------------------------------


def category_get(*, slug: str) -> Category:
    try:
        category: Category = Category.objects.get(slug=slug)
    except Category.DoesNotExist as exc:
        raise CategoryNotFound() from exc
    return category


def category_tree() -> list[dict[str, Any]]:
    """The whole tree, nested, in one query (paths sort parents before children)."""
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    steplen = Category.steplen
    for category in Category.objects.order_by("path"):
        node = {
            "id": category.pk,
            "name": category.name,
            "slug": category.slug,
            "description": category.description,
            "depth": category.depth,
            "children": [],
        }
        nodes[category.path] = node
        parent = nodes.get(category.path[:-steplen])
        (parent["children"] if parent else roots).append(node)
    return roots


@dataclass(frozen=True)
class _CategoryIndex:
    version: int
    path_by_slug: dict[str, str]
    ids_by_path: list[tuple[str, int]]


# The category table is small and read by most list and facet requests: each
# process keeps a copy per catalog version instead of asking the database.
_category_index: dict[str, _CategoryIndex] = {}


def _categories(*, reload: bool = False) -> _CategoryIndex:
    version = catalog_cache.current_version()
    index = _category_index.get("current")
    if reload or index is None or index.version != version:
        rows = list(Category.objects.order_by("path").values_list("pk", "slug", "path"))
        index = _CategoryIndex(
            version=version,
            path_by_slug={slug: path for _, slug, path in rows},
            ids_by_path=[(path, pk) for pk, _, path in rows],
        )
        _category_index["current"] = index
    return index


def category_subtree_ids(*, slug: str) -> list[int]:
    """Ids of the category and all below it; raises CategoryNotFound."""
    index = _categories()
    if slug not in index.path_by_slug:  # made since the copy, its version bump in flight?
        index = _categories(reload=True)
    path = index.path_by_slug.get(slug)
    if path is None:
        raise CategoryNotFound()
    return [pk for category_path, pk in index.ids_by_path if category_path.startswith(path)]


def category_subtree(*, category: Category) -> QuerySet[Category]:
    """The category and every category below it: one indexed prefix match."""
    subtree: QuerySet[Category] = Category.objects.filter(path__startswith=category.path)
    return subtree


# --- products: the public list -------------------------------------------------------


def _visible() -> QuerySet[Product]:
    return Product.objects.filter(
        is_published=True, published_at__lte=timezone.now(), price_min__isnull=False
    )


def _in_stock() -> Exists:
    return Exists(
        ProductVariant.objects.filter(
            product=OuterRef("pk"), stocks__quantity__gt=F("stocks__quantity_allocated")
        )
    )


def _attribute_value_ids(attributes: Mapping[str, Sequence[str]]) -> dict[str, list[int]]:
    """The ids behind ``attr.<slug>=a,b`` filters, all attributes in one query.

    Filtering by ids rather than by joined slugs matters: with the slugs in the
    subquery PostgreSQL guessed a handful of matches and materialised all of them
    (164 ms on 100,000 products); with ids it walks the ordered index (1.3 ms).
    """
    wanted = Q()
    for attribute, values in attributes.items():
        wanted |= Q(attribute__slug=attribute, slug__in=values)
    ids: dict[str, list[int]] = {attribute: [] for attribute in attributes}
    for attribute, value_id in AttributeValue.objects.filter(wanted).values_list(
        "attribute__slug", "pk"
    ):
        ids[attribute].append(value_id)
    return ids


def _offers_any(value_ids: Sequence[int]) -> Exists:
    return Exists(
        ProductAttributeIndex.objects.filter(product=OuterRef("pk"), value_id__in=value_ids)
    )


def _full_text_finds_any(text: str) -> bool:
    """Whether full-text search matches any product at all, by the GIN index.

    Written as SQL because the ORM's EXISTS lets PostgreSQL expect an early hit
    and scan the table (42 ms for a word that matches nothing, on 100,000
    products); a materialized CTE is planned for all its rows and takes the
    index (under 2 ms, whether the word is rare or common).
    """
    sql = (
        "WITH matches AS MATERIALIZED (SELECT id FROM catalog_product "
        "WHERE search_vector @@ websearch_to_tsquery(%s::regconfig, %s)) "
        "SELECT EXISTS (SELECT 1 FROM matches)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [settings.SEARCH_CONFIG, text])
        row = cursor.fetchone()
    return bool(row and row[0])


def _search_postgres(products: QuerySet[Product], text: str) -> QuerySet[Product]:
    query = SearchQuery(text, search_type="websearch", config=settings.SEARCH_CONFIG)
    # Typo tolerance is the fallback: trigram matches count only when full-text
    # search finds nothing at all. Taken together, a common word added thousands
    # of loose matches that were all ranked (431 ms against 89 ms on 100,000
    # products). Matching happens in a subquery of its own, where the planner
    # uses the GIN indexes; ordered and limited with it, it would scan.
    if _full_text_finds_any(text):
        matches = Product.objects.filter(search_vector=query)
    else:
        matches = Product.objects.filter(name__trigram_word_similar=text)
    relevance = SearchRank(F("search_vector"), query) + TrigramWordSimilarity(text, "name")
    return products.filter(pk__in=matches.values("pk")).annotate(
        relevance=Cast(relevance * _RELEVANCE_SCALE, IntegerField())
    )


def _search_substring(products: QuerySet[Product], text: str) -> QuerySet[Product]:
    return products.filter(Q(name__icontains=text) | Q(description__icontains=text)).annotate(
        relevance=Value(0, output_field=IntegerField())
    )


def product_filter_visible(*, filters: ProductFilters) -> QuerySet[Product]:
    """Published products narrowed by the filters; raises CategoryNotFound.

    The category filter is the list of its subtree's ids. With a subquery on the
    slug instead, PostgreSQL guessed 1,800 of the 38,000 products under a top
    category and chose nested loops: facets took 74 + 153 ms of database time,
    against 30 + 54 ms with the ids.
    """
    products = _visible()
    if filters.category:
        products = products.filter(category_id__in=category_subtree_ids(slug=filters.category))
    if filters.brands:
        products = products.filter(brand__slug__in=filters.brands)
    if filters.min_price is not None:
        products = products.filter(price_max__gte=filters.min_price)
    if filters.max_price is not None:
        products = products.filter(price_min__lte=filters.max_price)
    if filters.in_stock is not None:
        products = products.filter(_in_stock() if filters.in_stock else ~_in_stock())
    if filters.attributes:
        for value_ids in _attribute_value_ids(filters.attributes).values():
            products = products.filter(_offers_any(value_ids))
    if filters.search:
        search = _search_postgres if connection.vendor == "postgresql" else _search_substring
        products = search(products, filters.search)
    return products


# The columns of a list page row; the ordering fields must be among them, since the
# cursor paginator reads its position from the last row.
LIST_ROW_FIELDS = (
    "id",
    "name",
    "slug",
    "brand__name",
    "brand__slug",
    "category_id",
    "category__name",
    "category__slug",
    "price_min",
    "price_max",
    "currency",
    "published_at",
    "thumbnail",
    "thumbnail_alt",
    "stocked_variant",
)


def product_list_visible(*, filters: ProductFilters) -> QuerySet[Product, dict[str, Any]]:
    """The list page's rows as dicts: brand and category joined, first image and
    stock annotated.

    Plain rows, not model instances: building three instances per product was a
    large share of a list request's CPU. Stock is a scalar subquery (the id of one
    variant with units left, or null), which PostgreSQL evaluates only for the rows
    the LIMIT keeps; as an EXISTS column it became a hashed subplan over the whole
    catalog (270 ms).
    """
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).order_by("sort_order", "pk")
    stocked_variant = (
        ProductVariant.objects.filter(
            product=OuterRef("pk"), stocks__quantity__gt=F("stocks__quantity_allocated")
        )
        .order_by()
        .values("pk")[:1]
    )
    fields = (*LIST_ROW_FIELDS, "relevance") if filters.search else LIST_ROW_FIELDS
    rows: QuerySet[Product, dict[str, Any]] = (
        product_filter_visible(filters=filters)
        .annotate(
            thumbnail=Subquery(first_image.values("image")[:1]),
            thumbnail_alt=Subquery(first_image.values("alt")[:1]),
            stocked_variant=Subquery(stocked_variant),
        )
        .values(*fields)
    )
    return rows


ORDERINGS: dict[str, tuple[str, ...]] = {
    "newest": ("-published_at", "-id"),
    "price": ("price_min", "id"),
    "-price": ("-price_min", "-id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "relevance": ("-relevance", "-id"),
}


# --- facets ---------------------------------------------------------------------------


def _price_bucket() -> Case:
    whens = [
        When(price_min__lt=edge, then=Value(index)) for index, edge in enumerate(PRICE_BUCKET_EDGES)
    ]
    return Case(*whens, default=Value(len(PRICE_BUCKET_EDGES)), output_field=IntegerField())


def product_facets(*, filters: ProductFilters) -> dict[str, list[dict[str, Any]]]:
    """Counts per category, brand, attribute value and price bucket for the filter.

    Raises CategoryNotFound for an unknown category. Attribute values are counted
    on ProductAttributeIndex, one row per product and value wherever it is set.
    """
    products = product_filter_visible(filters=filters).order_by()
    if filters.search:  # the relevance column would join every GROUP BY below
        products = Product.objects.filter(pk__in=products.values("pk"))

    category_counts: dict[int, int] = {}
    brand_counts: dict[int, int] = {}
    bucket_counts: dict[int, int] = {}
    for category_id, brand_id, bucket, grouping, count in _category_brand_bucket_groups(products):
        if not grouping & 0b100:
            category_counts[category_id] = category_counts.get(category_id, 0) + count
        if not grouping & 0b010 and brand_id is not None:
            brand_counts[brand_id] = brand_counts.get(brand_id, 0) + count
        if not grouping & 0b001:
            bucket_counts[bucket] = bucket_counts.get(bucket, 0) + count

    value_counts: dict[int, int] = dict(
        ProductAttributeIndex.objects.filter(product__in=products.values("pk"))
        .values_list("value_id")
        .annotate(count=Count("product_id"))
        .order_by()
    )
    values = AttributeValue.objects.select_related("attribute").filter(pk__in=value_counts)
    ranked = sorted(values, key=lambda v: (v.attribute.slug, -value_counts[v.pk], v.name))
    attributes = [
        {
            "attribute": value.attribute.slug,
            "attribute_name": value.attribute.name,
            "slug": value.slug,
            "name": value.name,
            "count": value_counts[value.pk],
        }
        for value in ranked
    ]

    lower: Decimal | None = Decimal(0)
    prices = []
    for index, upper in enumerate((*PRICE_BUCKET_EDGES, None)):
        if bucket_counts.get(index):
            prices.append({"min": lower, "max": upper, "count": bucket_counts[index]})
        lower = upper
    return {
        "categories": _ranked_counts(Category.objects.all(), category_counts),
        "brands": _ranked_counts(Brand.objects.all(), brand_counts),
        "attributes": attributes,
        "prices": prices,
    }


def _category_brand_bucket_groups(products: QuerySet[Product]) -> list[tuple[Any, ...]]:
    """Product counts per category, per brand and per price bucket, in one scan.

    Rows are (category_id, brand_id, bucket, grouping, count); ``grouping`` has a
    bit set for each of the three columns the row is *not* grouped by. PostgreSQL
    answers with GROUPING SETS, one row per facet entry. Django's ORM has no
    GROUPING SETS, so the filtered query is compiled by the ORM and wrapped here;
    grouping by all three columns instead returned 1,100 rows for a top category,
    and turning them into Python values cost ~10 ms of CPU a request. Other
    databases group by all three (grouping 0) and the caller sums.
    """
    grouped_columns = products.annotate(bucket=_price_bucket()).values_list(
        "category_id", "brand_id", "bucket"
    )
    inner, params = grouped_columns.order_by().query.sql_with_params()
    columns = "category_id, brand_id, bucket"
    if connection.vendor == "postgresql":
        grouping = f"GROUPING({columns})"
        group_by = "GROUPING SETS ((category_id), (brand_id), (bucket))"
    else:
        grouping, group_by = "0", columns
    # Only constants and ORM-compiled SQL are interpolated; values stay parameters.
    sql = f"SELECT {columns}, {grouping}, COUNT(*) FROM ({inner}) AS filtered GROUP BY {group_by}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _ranked_counts(
    named: QuerySet[Category] | QuerySet[Brand], counts: dict[int, int]
) -> list[dict[str, Any]]:
    """Facet entries for the counted ids, most products first, then by name."""
    names = named.filter(pk__in=counts).values_list("pk", "slug", "name")
    ranked = sorted(names, key=lambda row: (-counts[row[0]], row[2]))
    return [{"slug": slug, "name": name, "count": counts[pk]} for pk, slug, name in ranked]


# --- one product -----------------------------------------------------------------------


def product_get_visible(*, slug: str) -> Product:
    """A published product with everything its page shows, in a fixed number of queries."""
    values = AttributeValue.objects.select_related("attribute")
    variants = (
        ProductVariant.objects.annotate(
            quantity_available=Coalesce(
                Sum(F("stocks__quantity") - F("stocks__quantity_allocated")), Value(0)
            )
        )
        .order_by("sort_order", "id")  # Meta.ordering does not apply to aggregate queries
        .prefetch_related(Prefetch("attributes", queryset=values))
    )
    try:
        return (
            _visible()
            .select_related("brand", "category", "product_type")
            .prefetch_related(
                Prefetch("variants", queryset=variants),
                Prefetch("attributes", queryset=values),
                Prefetch("images", queryset=ProductImage.objects.all()),
            )
            .get(slug=slug)
        )
    except Product.DoesNotExist as exc:
        raise ProductNotFound() from exc


# --- variants for carts and orders ------------------------------------------------------


def variants_for_sale(*, variant_ids: Sequence[int]) -> dict[int, ProductVariant]:
    """The variants among these ids whose product is published, with their product."""
    variants = ProductVariant.objects.select_related("product").filter(
        pk__in=variant_ids, product__in=_visible()
    )
    return {variant.pk: variant for variant in variants}


def variant_ids_for_sale(*, variant_ids: Sequence[int]) -> set[int]:
    """Which of these variants belong to a published product."""
    return set(
        ProductVariant.objects.filter(pk__in=variant_ids, product__in=_visible()).values_list(
            "pk", flat=True
        )
    )
