"""Writing one chunk of checked rows: products keyed by slug, variants by SKU.

Set-based: one query reads each kind of existing row for the whole chunk, and new or
changed rows are written with one statement per kind, so that 100,000 rows cost a few
hundred queries, not a million. Only what differs is written — a re-run of the same
file writes nothing — and the catalog's derived data (attribute index, search vector,
price range) is refreshed through the catalog's own helpers, for the products that
changed. Stock goes through the inventory service, which keeps the audit trail.
"""

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from nexus.catalog.models import Product, ProductVariant
from nexus.catalog.services import (
    attribute_index_rebuild,
    price_ranges_refresh,
    refresh_search_vectors,
    search_vector,
)
from nexus.core.errors import DomainError
from nexus.imports.formats import RowError
from nexus.imports.validation import ImportRow, ProductData, VariantData
from nexus.inventory.models import Stock
from nexus.inventory.services import StockLevel, stock_levels_set, stock_quantity_check

PRODUCT_FIELDS = ("name", "description", "category_id", "brand_id", "is_published")
VARIANT_FIELDS = ("name", "price", "compare_at_price", "weight_grams")


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class UpsertResult:
    outcomes: list[Outcome] = field(default_factory=list)
    rejected: list[RowError] = field(default_factory=list)
    catalog_changed: bool = False


@dataclass(frozen=True)
class Labels:
    """Slugs by id, for reasons that name what the file named."""

    product_types: Mapping[int, str]
    warehouses: Mapping[int, str]


def _links(through: type[Model], owner: str, owner_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    pairs = through._default_manager.filter(**{f"{owner}__in": list(owner_ids)}).values_list(
        owner, "attributevalue_id"
    )
    for owner_id, value_id in pairs:
        found[owner_id].add(value_id)
    return {owner_id: frozenset(values) for owner_id, values in found.items()}


def _replace_links(through: type[Model], owner: str, wanted: Mapping[int, frozenset[int]]) -> None:
    if not wanted:
        return
    through._default_manager.filter(**{f"{owner}__in": list(wanted)}).delete()
    through._default_manager.bulk_create(
        through(**{owner: owner_id, "attributevalue_id": value_id})
        for owner_id, values in sorted(wanted.items())
        for value_id in sorted(values)
    )


class _Chunk:
    """The chunk's existing rows, read once, and what it is about to write."""

    def __init__(self, rows: Sequence[ImportRow]) -> None:
        self.products = {
            product.slug: product
            for product in Product.objects.filter(slug__in={row.product.slug for row in rows}).only(
                "pk", "slug", "product_type_id", "published_at", *PRODUCT_FIELDS
            )
        }
        self.product_values = _links(
            Product.attributes.through, "product_id", (p.pk for p in self.products.values())
        )
        self.variants = {
            variant.sku: variant
            for variant in ProductVariant.objects.filter(
                sku__in=[row.variant.sku for row in rows]
            ).only("pk", "sku", "product_id", *VARIANT_FIELDS)
        }
        variant_ids = [variant.pk for variant in self.variants.values()]
        self.variant_values = _links(
            ProductVariant.attributes.through, "productvariant_id", variant_ids
        )
        self.stocks: dict[tuple[int, int], tuple[int, int]] = {
            (variant_id, warehouse_id): (quantity, allocated)
            for variant_id, warehouse_id, quantity, allocated in Stock.objects.filter(
                variant_id__in=variant_ids
            ).values_list("variant_id", "warehouse_id", "quantity", "quantity_allocated")
        }

    def refusal(self, row: ImportRow, labels: Labels) -> str | None:
        """Why the row cannot be written, as far as the database tells."""
        product = self.products.get(row.product.slug)
        variant = self.variants.get(row.variant.sku)
        if product is not None and product.product_type_id != row.product.product_type_id:
            current = labels.product_types.get(product.product_type_id, "?")
            return f"product_type: The product is of type {current!r}; a type cannot change."
        if variant is not None and (product is None or variant.product_id != product.pk):
            return f"sku: {row.variant.sku!r} belongs to another product."
        if variant is not None:
            for warehouse_id, units in row.stock:
                allocated = self.stocks.get((variant.pk, warehouse_id), (0, 0))[1]
                try:
                    stock_quantity_check(quantity=units, allocated=allocated)
                except DomainError as exc:
                    messages = [m for found in exc.field_errors.values() for m in found]
                    column = f"stock:{labels.warehouses.get(warehouse_id, '?')}"
                    return f"{column}: {' '.join(messages) or exc.message}"
        return None


def upsert_rows(
    rows: Sequence[ImportRow], *, labels: Labels, actor: Any, reason: str
) -> UpsertResult:
    """Write the rows' products, variants and stock; rows the database refuses are
    returned as rejected, the others written."""
    chunk = _Chunk(rows)
    result = UpsertResult()
    accepted = []
    for row in rows:
        refusal = chunk.refusal(row, labels)
        if refusal is None:
            accepted.append(row)
        else:
            result.rejected.append(RowError(row.line, refusal))
    if not accepted:
        return result

    now = timezone.now()
    products = _products(chunk, accepted, now)
    variants = _variants(chunk, accepted, products.by_slug, now)
    product_values = {
        products.by_slug[slug].pk: data.value_ids
        for slug, data in {row.product.slug: row.product for row in accepted}.items()
        if chunk.product_values.get(products.by_slug[slug].pk, frozenset()) != data.value_ids
    }
    _replace_links(Product.attributes.through, "product_id", product_values)
    _replace_links(ProductVariant.attributes.through, "productvariant_id", variants.values)

    all_variants = {**chunk.variants, **variants.new}
    indexed = set(product_values) | {
        v.product_id for v in all_variants.values() if v.pk in variants.values
    }
    if indexed:
        attribute_index_rebuild(sorted(indexed))
    if products.renamed_ids:
        refresh_search_vectors(sorted(products.renamed_ids))
    # New products got their price range on insert, from this chunk's rows; a later
    # chunk adding variants to them refreshes it here.
    priced = {
        v.product_id for v in variants.new.values() if v.product_id not in products.new_ids
    } | {
        chunk.variants[sku].product_id
        for sku, fields in variants.changed.items()
        if "price" in fields
    }
    if priced:
        price_ranges_refresh(sorted(priced))

    levels: list[StockLevel] = []
    restocked: set[int] = set()
    for row in accepted:
        variant_id = all_variants[row.variant.sku].pk
        for warehouse_id, units in row.stock:
            if chunk.stocks.get((variant_id, warehouse_id), (0, 0))[0] != units:
                levels.append(StockLevel(variant_id, warehouse_id, units))
                restocked.add(row.line)
    stock_levels_set(levels=levels, reason=reason, actor=actor)

    result.catalog_changed = bool(
        products.new_ids or products.changed_ids or variants.new or variants.changed or indexed
    )
    result.outcomes = _outcomes(
        accepted,
        products=products,
        variants=variants,
        variant_ids={sku: variant.pk for sku, variant in all_variants.items()},
        relinked_products=set(product_values),
        restocked=restocked,
    )
    return result


def _outcomes(
    rows: Sequence[ImportRow],
    *,
    products: "_ProductWrites",
    variants: "_VariantWrites",
    variant_ids: Mapping[str, int],
    relinked_products: set[int],
    restocked: set[int],
) -> list[Outcome]:
    """Each row's outcome; a product's own change counts on its first row only."""
    outcomes: list[Outcome] = []
    counted: set[str] = set()
    for row in rows:
        product_id = products.by_slug[row.product.slug].pk
        first_of_product = row.product.slug not in counted
        counted.add(row.product.slug)
        if row.variant.sku in variants.new or (first_of_product and product_id in products.new_ids):
            outcomes.append(Outcome.CREATED)
        elif (
            (first_of_product and product_id in products.changed_ids | relinked_products)
            or row.variant.sku in variants.changed
            or variant_ids[row.variant.sku] in variants.values
            or row.line in restocked
        ):
            outcomes.append(Outcome.UPDATED)
        else:
            outcomes.append(Outcome.UNCHANGED)
    return outcomes


@dataclass
class _ProductWrites:
    by_slug: dict[str, Product]
    new_ids: set[int] = field(default_factory=set)
    changed_ids: set[int] = field(default_factory=set)
    renamed_ids: set[int] = field(default_factory=set)  # name or description: search vector


@dataclass
class _VariantWrites:
    new: dict[str, ProductVariant] = field(default_factory=dict)
    changed: dict[str, list[str]] = field(default_factory=dict)  # sku → changed fields
    values: dict[int, frozenset[int]] = field(default_factory=dict)  # id → new value ids


def _products(chunk: _Chunk, rows: Sequence[ImportRow], now: Any) -> _ProductWrites:
    """Create the new products and update the changed ones."""
    writes = _ProductWrites(by_slug=dict(chunk.products))
    prices: dict[str, list[Decimal]] = defaultdict(list)
    for row in rows:
        prices[row.product.slug].append(row.variant.price)
    new: list[Product] = []
    changed: list[Product] = []
    fields: set[str] = set()
    for data in {row.product.slug: row.product for row in rows}.values():
        product = writes.by_slug.get(data.slug)
        if product is None:
            writes.by_slug[data.slug] = _new_product(data, prices[data.slug], now)
            new.append(writes.by_slug[data.slug])
            continue
        differing = [
            name for name in PRODUCT_FIELDS if getattr(product, name) != getattr(data, name)
        ]
        if not differing:
            continue
        for name in differing:
            setattr(product, name, getattr(data, name))
        if product.is_published and product.published_at is None:
            product.published_at = now
            differing.append("published_at")
        product.updated_at = now
        fields.update(differing)
        changed.append(product)
        if {"name", "description"} & set(differing):
            writes.renamed_ids.add(product.pk)
    _insert(Product, new, key="slug")
    if changed:
        Product.objects.bulk_update(changed, [*sorted(fields), "updated_at"])
    writes.new_ids = {product.pk for product in new}
    writes.changed_ids = {product.pk for product in changed}
    return writes


def _new_product(data: ProductData, prices: Sequence[Decimal], now: Any) -> Product:
    return Product(
        product_type_id=data.product_type_id,
        category_id=data.category_id,
        brand_id=data.brand_id,
        name=data.name,
        slug=data.slug,
        description=data.description,
        is_published=data.is_published,
        published_at=now if data.is_published else None,
        currency=settings.SHOP_CURRENCY,
        price_min=min(prices),
        price_max=max(prices),
    )


def _variants(
    chunk: _Chunk, rows: Sequence[ImportRow], products: Mapping[str, Product], now: Any
) -> _VariantWrites:
    """Create the new variants and update the changed ones."""
    writes = _VariantWrites()
    for row in rows:
        data = row.variant
        variant = chunk.variants.get(data.sku)
        if variant is None:
            writes.new[data.sku] = _new_variant(data, products[row.product.slug].pk)
            continue
        differing = [
            name for name in VARIANT_FIELDS if getattr(variant, name) != getattr(data, name)
        ]
        if differing:
            for name in differing:
                setattr(variant, name, getattr(data, name))
            variant.updated_at = now
            writes.changed[data.sku] = differing
    _insert(ProductVariant, list(writes.new.values()), key="sku")
    if writes.changed:
        fields = sorted({name for names in writes.changed.values() for name in names})
        ProductVariant.objects.bulk_update(
            [chunk.variants[sku] for sku in writes.changed], [*fields, "updated_at"]
        )
    for row in rows:
        variant = writes.new.get(row.variant.sku) or chunk.variants[row.variant.sku]
        if chunk.variant_values.get(variant.pk, frozenset()) != row.variant.value_ids:
            writes.values[variant.pk] = row.variant.value_ids
    return writes


def _new_variant(data: VariantData, product_id: int) -> ProductVariant:
    return ProductVariant(
        product_id=product_id,
        sku=data.sku,
        name=data.name,
        price=data.price,
        compare_at_price=data.compare_at_price,
        currency=settings.SHOP_CURRENCY,
        weight_grams=data.weight_grams,
    )


def _insert(model: type[Model], instances: Sequence[Model], *, key: str) -> None:
    """Insert new rows and set their ids, matched back by ``key`` (a unique column).

    On PostgreSQL through COPY into a temporary table and one INSERT … SELECT …
    RETURNING: the ORM's bulk_create prepares every value of every row in Python,
    which made it most of an import's time. A product's search vector is computed on
    the way in, rather than by a second write of every new row and its index.
    """
    if not instances:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(instances)
        return
    now = timezone.now()
    for instance in instances:
        for name in ("created_at", "updated_at"):
            if getattr(instance, name, None) is None:
                setattr(instance, name, now)
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.column != "search_vector"
    ]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(str(field.column)) for field in fields)
    target, select, params = columns, columns, []
    if model is Product:
        # The catalog's own expression. Its columns are qualified with the product
        # table's name, which the temporary table takes as its alias below.
        query = Product.objects.none().query
        sql, vector_params = (
            search_vector()
            .resolve_expression(query)
            .as_sql(query.get_compiler(connection=connection), connection)
        )
        target, select, params = f"{columns}, search_vector", f"{columns}, {sql}", [*vector_params]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE import_rows ON COMMIT DROP AS "  # noqa: S608 — model metadata
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY import_rows ({columns}) FROM STDIN") as copy:
            for instance in instances:
                copy.write_row(
                    [
                        field.get_db_prep_save(getattr(instance, field.attname), connection)
                        for field in fields
                    ]
                )
        cursor.execute(
            f"INSERT INTO {table} ({target}) "  # noqa: S608 — names from model metadata
            f"SELECT {select} FROM import_rows AS {table} RETURNING id, {quote(key)}",
            params,
        )
        ids = {value: pk for pk, value in cursor.fetchall()}
        cursor.execute("DROP TABLE import_rows")  # inside an outer transaction, too
    for instance in instances:
        instance.pk = ids[getattr(instance, key)]
        instance._state.adding = False
