"""A realistic, deterministic demo catalog, written in bulk.

The same ``--seed`` gives the same catalog, byte for byte, so benchmarks and demos
are repeatable. Products are generated lazily and written in chunked
transactions: memory stays flat however many are asked for.
"""

import functools
import queue
import random
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.text import slugify

from nexus.catalog import cache as catalog_cache
from nexus.catalog import services as catalog_services
from nexus.catalog.models import (
    Attribute,
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductAttributeIndex,
    ProductType,
    ProductVariant,
)
from nexus.inventory.models import Stock, Warehouse

CATEGORY_TREE: dict[str, dict[str, list[str]]] = {
    "Clothing": {
        "Men": ["T-shirts", "Shirts", "Jackets"],
        "Women": ["Dresses", "Tops", "Coats"],
        "Kids": ["Baby", "Boys", "Girls"],
    },
    "Shoes": {"Running": ["Road", "Trail"], "Casual": ["Sneakers", "Boots"]},
    "Electronics": {
        "Audio": ["Headphones", "Speakers"],
        "Computers": ["Laptops", "Keyboards", "Monitors"],
        "Phones": ["Smartphones", "Cases"],
    },
    "Home": {"Kitchen": ["Cookware", "Knives"], "Living": ["Lamps", "Rugs", "Cushions"]},
    "Outdoor": {"Camping": ["Tents", "Sleeping bags"], "Cycling": ["Helmets", "Lights"]},
}
ATTRIBUTES: dict[str, list[str]] = {
    "Color": ["Black", "White", "Red", "Blue", "Green", "Grey", "Navy", "Beige", "Yellow"],
    "Size": ["XS", "S", "M", "L", "XL", "XXL"],
    "Material": ["Cotton", "Wool", "Linen", "Polyester", "Leather", "Steel", "Bamboo"],
    "Shoe size": ["38", "39", "40", "41", "42", "43", "44", "45"],
    "Storage": ["64 GB", "128 GB", "256 GB", "512 GB", "1 TB"],
}
# product type → (product attributes, variant attributes, top categories, nouns)
PRODUCT_TYPES: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "Apparel": (
        ["Material"],
        ["Color", "Size"],
        ["Clothing"],
        ["tee", "shirt", "jacket", "dress", "hoodie", "coat"],
    ),
    "Footwear": (
        ["Material"],
        ["Shoe size"],
        ["Shoes"],
        ["runner", "sneaker", "boot", "trail shoe"],
    ),
    "Device": (["Color"], ["Storage"], ["Electronics"], ["phone", "laptop", "tablet", "monitor"]),
    "Audio": (["Color"], [], ["Electronics"], ["headphones", "earbuds", "speaker"]),
    "Goods": (
        ["Material", "Color"],
        [],
        ["Home", "Outdoor"],
        ["lamp", "rug", "tent", "pan", "helmet", "knife"],
    ),
}
ADJECTIVES = [
    "Classic",
    "Urban",
    "Alpine",
    "Coastal",
    "Nordic",
    "Vintage",
    "Modern",
    "Rugged",
    "Featherlight",
    "Everyday",
    "Premium",
    "Compact",
    "Heritage",
    "Studio",
    "Trail",
    "Summit",
    "Harbor",
    "Meadow",
    "Canyon",
    "Aurora",
    "Ember",
    "Glacier",
]
BRANDS = [
    "Acme",
    "Northwind",
    "Lumen",
    "Fjordline",
    "Kestrel",
    "Brightwave",
    "Oakridge",
    "Solace",
    "Vireo",
    "Tandem",
    "Halcyon",
    "Marlow",
    "Quarry",
    "Saltmarsh",
    "Cobalt",
    "Juniper",
    "Wrenfield",
    "Atlas",
    "Pinecrest",
    "Orbital",
]
WORDS = [
    "durable",
    "soft",
    "breathable",
    "waterproof",
    "lightweight",
    "recycled",
    "organic",
    "ergonomic",
    "wireless",
    "rechargeable",
    "handmade",
    "insulated",
    "adjustable",
    "versatile",
    "timeless",
    "comfortable",
    "sturdy",
    "quiet",
    "fast",
    "bright",
    "warm",
    "cool",
    "travel",
    "everyday",
    "outdoor",
    "office",
    "weekend",
    "gift",
]
PRICE_POINTS = [
    Decimal(p)
    for p in (
        "4.99",
        "9.99",
        "14.90",
        "19.99",
        "29.00",
        "39.95",
        "49.00",
        "79.00",
        "99.00",
        "149.00",
        "249.00",
        "499.00",
        "899.00",
        "1299.00",
    )
]
CHUNK = 2000
BASE_DATE = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Reference:
    """The fixed part of the catalog that every product draws from."""

    leaves_by_top: dict[str, list[Category]]
    brands: list[Brand]
    types: dict[str, ProductType]
    values: dict[str, list[AttributeValue]]
    warehouse: Warehouse


def _reference() -> Reference:
    leaves_by_top: dict[str, list[Category]] = {}
    for order, (top, middles) in enumerate(CATEGORY_TREE.items()):
        root = catalog_services.category_create(
            name=top, slug=slugify(top), sort_order=order, parent=None
        )
        leaves_by_top[top] = []
        for middle, leaves in middles.items():
            node = catalog_services.category_create(
                name=middle, slug=slugify(f"{top}-{middle}"), parent=root
            )
            for leaf in leaves:
                leaves_by_top[top].append(
                    catalog_services.category_create(
                        name=leaf, slug=slugify(f"{top}-{middle}-{leaf}"), parent=node
                    )
                )
    brands = Brand.objects.bulk_create(Brand(name=name, slug=slugify(name)) for name in BRANDS)
    values: dict[str, list[AttributeValue]] = {}
    attributes: dict[str, Attribute] = {}
    for name, names in ATTRIBUTES.items():
        attributes[name] = Attribute.objects.create(name=name, slug=slugify(name))
        values[name] = AttributeValue.objects.bulk_create(
            AttributeValue(attribute=attributes[name], name=v, slug=slugify(v), sort_order=i)
            for i, v in enumerate(names)
        )
    types = {}
    for name, (product_attrs, variant_attrs, _, _) in PRODUCT_TYPES.items():
        types[name] = catalog_services.product_type_create(
            name=name,
            slug=slugify(name),
            product_attributes=[attributes[a] for a in product_attrs],
            variant_attributes=[attributes[a] for a in variant_attrs],
        )
    warehouse, _ = Warehouse.objects.get_or_create(slug="main", defaults={"name": "Main warehouse"})
    return Reference(leaves_by_top, list(brands), types, values, warehouse)


@dataclass
class _Chunk:
    """Rows ready to insert, as tuples in column order, with explicit ids."""

    products: list[tuple[object, ...]] = field(default_factory=list)
    product_values: list[tuple[int, int]] = field(default_factory=list)
    variants: list[tuple[object, ...]] = field(default_factory=list)
    variant_values: list[tuple[int, int]] = field(default_factory=list)
    stocks: list[tuple[int, int, int, int]] = field(default_factory=list)
    attribute_index: list[tuple[int, int]] = field(default_factory=list)


PRODUCT_COLUMNS = (
    "id",
    "product_type_id",
    "category_id",
    "brand_id",
    "name",
    "slug",
    "description",
    "is_published",
    "published_at",
    "seo_title",
    "seo_description",
    "price_min",
    "price_max",
    "currency",
    "created_at",
    "updated_at",
)
VARIANT_COLUMNS = (
    "id",
    "product_id",
    "sku",
    "name",
    "price",
    "compare_at_price",
    "currency",
    "weight_grams",
    "sort_order",
    "created_at",
    "updated_at",
)


def _chunks(count: int, rng: random.Random, ref: Reference, ids: "_Ids") -> Iterator[_Chunk]:
    """Generate the catalog lazily, ``CHUNK`` products at a time."""
    type_names = list(PRODUCT_TYPES)
    currency = settings.SHOP_CURRENCY
    now = timezone.now()
    chunk = _Chunk()
    for index in range(count):
        type_name = type_names[index % len(type_names)]
        product_attrs, variant_attrs, tops, nouns = PRODUCT_TYPES[type_name]
        brand = rng.choice(ref.brands)
        name = f"{brand.name} {rng.choice(ADJECTIVES)} {rng.choice(nouns)}"
        category = rng.choice(ref.leaves_by_top[rng.choice(tops)])
        words = " ".join(rng.choices(WORDS, k=12))
        base_price = rng.choice(PRICE_POINTS)
        published = rng.random() < 0.95
        product_id = ids.next_product()
        offered: set[int] = set()
        for attribute in product_attrs:
            value_id = rng.choice(ref.values[attribute]).pk
            chunk.product_values.append((product_id, value_id))
            offered.add(value_id)
        combos = [
            tuple(rng.choice(ref.values[a]) for a in variant_attrs)
            for _ in range(rng.randint(1, 4) if variant_attrs else 1)
        ]
        prices = []
        for position, combo in enumerate(dict.fromkeys(combos)):
            price = base_price + Decimal(position * 5)
            prices.append(price)
            compare_at = (price * Decimal("1.25")).quantize(Decimal("0.01"))
            variant_id = ids.next_variant()
            chunk.variants.append(
                (
                    variant_id,
                    product_id,
                    f"NX-{index + 1:07d}-{position + 1}",
                    " / ".join(v.name for v in combo),
                    price,
                    compare_at if rng.random() < 0.2 else None,
                    currency,
                    rng.randint(50, 5000),
                    position,
                    now,
                    now,
                )
            )
            chunk.variant_values += [(variant_id, value.pk) for value in combo]
            offered.update(value.pk for value in combo)
            quantity = 0 if rng.random() < 0.1 else rng.randint(1, 80)
            chunk.stocks.append((variant_id, ref.warehouse.pk, quantity, 0))
        chunk.attribute_index += [(product_id, value_id) for value_id in sorted(offered)]
        chunk.products.append(
            (
                product_id,
                ref.types[type_name].pk,
                category.pk,
                brand.pk,
                name,
                f"{_slug(name)}-{index + 1}",
                f"A {words} {rng.choice(nouns)} by {brand.name}.",
                published,
                BASE_DATE + timedelta(minutes=index) if published else None,
                name[:70],
                "",
                min(prices),
                max(prices),
                currency,
                now,
                now,
            )
        )
        if len(chunk.products) == CHUNK:
            yield chunk
            chunk = _Chunk()
    if chunk.products:
        yield chunk


@functools.lru_cache(maxsize=4096)
def _slug(name: str) -> str:
    return slugify(name)  # names repeat a lot; slugify is slow


@dataclass
class _Ids:
    """Ids handed out here, so that related rows can be written without a round trip."""

    product: int
    variant: int

    def next_product(self) -> int:
        self.product += 1
        return self.product

    def next_variant(self) -> int:
        self.variant += 1
        return self.variant


def _ahead(items: Iterator[_Chunk], depth: int = 2) -> Iterator[_Chunk]:
    """Yield the items while a thread computes the next ones.

    Generating rows is Python work and writing them is the database's, on another
    core: overlapping the two takes the seed from their sum to about the larger.
    """
    buffer: queue.Queue[_Chunk | BaseException | None] = queue.Queue(maxsize=depth)

    def produce() -> None:
        try:
            for item in items:
                buffer.put(item)
        except BaseException as exc:  # noqa: BLE001 — handed to the consumer, raised there
            buffer.put(exc)
        finally:
            buffer.put(None)

    threading.Thread(target=produce, name="seed-generator", daemon=True).start()
    while (item := buffer.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item


def _insert(model: type[Model], columns: Sequence[str], rows: list[Any]) -> None:
    """Insert rows as fast as the database allows: COPY on PostgreSQL.

    Written by hand because the ORM's bulk_create builds a model instance and a
    parameter list per row, which made it the bottleneck of large seeds.
    """
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # noqa: S608 — names come from model metadata


def _insert_products(rows: list[Any]) -> None:
    """Products, with their search vector computed on the way in on PostgreSQL.

    Through a temporary table: filling the vector by a later UPDATE would write
    every row and its index entries twice.
    """
    if connection.vendor != "postgresql":
        _insert(Product, PRODUCT_COLUMNS, rows)
        return
    table = connection.ops.quote_name(Product._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in PRODUCT_COLUMNS)
    vector = (
        "setweight(to_tsvector(%(config)s::regconfig, COALESCE(name, '')), 'A') || "
        "setweight(to_tsvector(%(config)s::regconfig, COALESCE(description, '')), 'B')"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE seed_product (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY seed_product ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({names}, search_vector) "  # noqa: S608 — names from model metadata
            f"SELECT {names}, {vector} FROM seed_product",
            {"config": settings.SEARCH_CONFIG},
        )
        cursor.execute("DROP TABLE seed_product")  # inside an outer transaction, too


def _write(chunk: _Chunk) -> None:
    _insert_products(chunk.products)
    _insert(Product.attributes.through, ("product_id", "attributevalue_id"), chunk.product_values)
    _insert(ProductVariant, VARIANT_COLUMNS, chunk.variants)
    _insert(
        ProductVariant.attributes.through,
        ("productvariant_id", "attributevalue_id"),
        chunk.variant_values,
    )
    _insert(Stock, ("variant_id", "warehouse_id", "quantity", "quantity_allocated"), chunk.stocks)
    _insert(ProductAttributeIndex, ("product_id", "value_id"), chunk.attribute_index)


def _finish_bulk_load() -> None:
    """After explicit ids, let the next ordinary insert continue above them."""
    models: list[type[Model]] = [
        Product,
        ProductVariant,
        Product.attributes.through,
        ProductVariant.attributes.through,
        Stock,
        ProductAttributeIndex,
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner guesses at the new rows for a while.
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
            cursor.execute(f"ANALYZE {tables}")


def seed_catalog(
    *, products: int, seed: int, progress: Callable[[int], object] | None = None
) -> int:
    """Write a demo catalog of ``products`` products into an empty catalog."""
    rng = random.Random(seed)  # noqa: S311 — demo data, not secrets
    ref = _reference()
    ids = _Ids(
        product=Product.objects.aggregate(top=Max("pk"))["top"] or 0,
        variant=ProductVariant.objects.aggregate(top=Max("pk"))["top"] or 0,
    )
    written = 0
    for chunk in _ahead(_chunks(products, rng, ref, ids)):
        with transaction.atomic():
            _write(chunk)
        written += len(chunk.products)
        if progress:
            progress(len(chunk.products))
    _finish_bulk_load()
    catalog_cache.bump_version()
    return written
