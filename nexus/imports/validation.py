"""Checking raw rows against the catalog's own rules, before anything is written.

The rules are not restated here: text and numbers go through the model fields'
``clean`` (lengths, blank, decimal digits, integer ranges), slugs through the
catalog's slug rule, prices through ``check_money``, attribute values through
``check_attribute_values`` and stock through ``stock_quantity_check`` — the same
checks the staff API and the services make, with the same messages.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Field, Model

from nexus.catalog.models import (
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductType,
    ProductVariant,
)
from nexus.catalog.validators import check_attribute_values, check_money, validate_slug
from nexus.core.errors import DomainError
from nexus.imports.formats import RawRow, RowError
from nexus.inventory.models import Stock, Warehouse
from nexus.inventory.services import stock_quantity_check


@dataclass(frozen=True)
class ProductData:
    slug: str
    name: str
    description: str
    category_id: int
    brand_id: int | None
    product_type_id: int
    is_published: bool
    value_ids: frozenset[int]


@dataclass(frozen=True)
class VariantData:
    sku: str
    name: str
    price: Decimal
    compare_at_price: Decimal | None
    weight_grams: int | None
    value_ids: frozenset[int]


@dataclass(frozen=True)
class ImportRow:
    """A row that passed every check: ready to be written."""

    line: int
    product: ProductData
    variant: VariantData
    stock: tuple[tuple[int, int], ...]  # (warehouse id, units on hand)


class RowRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def domain_reason(exc: DomainError) -> str:
    """A domain error as one line: its field messages, else its message."""
    if exc.field_errors:
        return "; ".join(
            f"{name}: {message}"
            for name, messages in exc.field_errors.items()
            for message in messages
        )
    return exc.message


class References:
    """The small catalog tables, loaded once per import and looked up by slug."""

    def __init__(self) -> None:
        self.categories = dict(Category.objects.values_list("slug", "pk"))
        self.brands = dict(Brand.objects.values_list("slug", "pk"))
        self.warehouses = dict(Warehouse.objects.values_list("slug", "pk"))
        self.types = {
            product_type.slug: product_type
            for product_type in ProductType.objects.prefetch_related(
                "product_attributes", "variant_attributes"
            )
        }
        self.type_slugs = {product_type.pk: slug for slug, product_type in self.types.items()}
        self.values = {
            (value.attribute.slug, value.slug): value
            for value in AttributeValue.objects.select_related("attribute")
        }


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    found = model._meta.get_field(name)
    assert isinstance(found, Field)  # noqa: S101 — a model's concrete field, by construction
    return found


class RowValidator:
    """Turns raw rows into ImportRows, or rejects them with the reason.

    Remembers, for the whole file, each SKU's line and each product's fields, so that
    a SKU given twice or a product described two ways is caught — both would make a
    re-run of the same file change something.
    """

    def __init__(self, references: References) -> None:
        self.references = references
        self.sku_lines: dict[str, int] = {}
        self.product_lines: dict[str, tuple[int, int]] = {}  # slug → (line, hash of fields)
        self.fields = {
            "product_slug": _field(Product, "slug"),
            "product_name": _field(Product, "name"),
            "description": _field(Product, "description"),
            "sku": _field(ProductVariant, "sku"),
            "variant_name": _field(ProductVariant, "name"),
            "price": _field(ProductVariant, "price"),
            "compare_at_price": _field(ProductVariant, "compare_at_price"),
            "weight_grams": _field(ProductVariant, "weight_grams"),
        }
        self.quantity_field = _field(Stock, "quantity")

    def __call__(self, raw: RawRow | RowError) -> ImportRow | RowError:
        if isinstance(raw, RowError):
            return raw
        try:
            return self._check(raw)
        except RowRejected as exc:
            return RowError(raw.line, exc.reason)

    def _clean(self, column: str, value: Any) -> Any:
        try:
            return self.fields[column].clean(value, None)
        except ValidationError as exc:
            raise RowRejected(f"{column}: {' '.join(exc.messages)}") from exc

    def _slug(self, column: str, value: str) -> str:
        try:
            validate_slug(value)
        except ValidationError as exc:
            raise RowRejected(f"{column}: {' '.join(exc.messages)}") from exc
        return value

    def _reference(self, column: str, noun: str, slug: str, known: dict[str, Any]) -> Any:
        if slug not in known:
            raise RowRejected(f"{column}: No {noun} with slug {slug!r}.")
        return known[slug]

    def _check(self, raw: RawRow) -> ImportRow:
        refs, values = self.references, raw.values
        slug = self._slug("product_slug", self._clean("product_slug", values["product_slug"]))
        name = self._clean("product_name", values["product_name"])
        description = self._clean("description", values["description"])
        sku = self._clean("sku", values["sku"])
        variant_name = self._clean("variant_name", values["variant_name"])
        price = self._clean("price", values["price"])
        compare_at = self._clean("compare_at_price", values["compare_at_price"] or None)
        weight = self._clean("weight_grams", values["weight_grams"])
        try:
            check_money(price=price, compare_at_price=compare_at, currency=settings.SHOP_CURRENCY)
        except DomainError as exc:
            raise RowRejected(domain_reason(exc)) from exc
        category_id = self._reference("category", "category", values["category"], refs.categories)
        brand_id = (
            self._reference("brand", "brand", values["brand"], refs.brands)
            if values["brand"]
            else None
        )
        product_type = self._reference(
            "product_type", "product type", values["product_type"], refs.types
        )
        product_values, variant_values = self._attribute_values(raw, product_type)
        stock = self._stock(raw)

        product = ProductData(
            slug=slug,
            name=name,
            description=description,
            category_id=category_id,
            brand_id=brand_id,
            product_type_id=product_type.pk,
            is_published=values["published"],
            value_ids=frozenset(value.pk for value in product_values),
        )
        if sku in self.sku_lines:
            raise RowRejected(f"sku: {sku!r} is already on line {self.sku_lines[sku]}.")
        described = self.product_lines.setdefault(slug, (raw.line, hash(product)))
        if described[1] != hash(product):
            raise RowRejected(
                f"product_slug: {slug!r} is described differently on line {described[0]}; "
                "every row of a product must repeat the same product columns."
            )
        self.sku_lines[sku] = raw.line
        variant = VariantData(
            sku=sku,
            name=variant_name,
            price=price,
            compare_at_price=compare_at,
            weight_grams=weight,
            value_ids=frozenset(value.pk for value in variant_values),
        )
        return ImportRow(line=raw.line, product=product, variant=variant, stock=stock)

    def _attribute_values(
        self, raw: RawRow, product_type: ProductType
    ) -> tuple[list[AttributeValue], list[AttributeValue]]:
        """The row's values split by the product type into the product's and the
        variant's; values of an attribute the type has neither way are refused."""
        found: list[AttributeValue] = []
        for attribute, value in raw.attributes.items():
            if (attribute, value) not in self.references.values:
                raise RowRejected(
                    f"attribute:{attribute}: No value {value!r} of attribute {attribute!r}."
                )
            found.append(self.references.values[(attribute, value)])
        on_product = {a.pk for a in product_type.product_attributes.all()}
        product_values = [v for v in found if v.attribute_id in on_product]
        variant_values = [v for v in found if v.attribute_id not in on_product]
        try:
            check_attribute_values(
                values=variant_values,
                allowed=product_type.variant_attributes.all(),
                field="attributes",
            )
        except DomainError as exc:
            raise RowRejected(domain_reason(exc)) from exc
        return product_values, variant_values

    def _stock(self, raw: RawRow) -> tuple[tuple[int, int], ...]:
        levels = []
        for warehouse, units in raw.stock.items():
            column = f"stock:{warehouse}"
            warehouse_id = self._reference(
                column, "warehouse", warehouse, self.references.warehouses
            )
            try:
                stock_quantity_check(quantity=units)
                self.quantity_field.run_validators(units)
            except DomainError as exc:
                messages = [m for found in exc.field_errors.values() for m in found]
                raise RowRejected(f"{column}: {' '.join(messages) or exc.message}") from exc
            except ValidationError as exc:
                raise RowRejected(f"{column}: {' '.join(exc.messages)}") from exc
            levels.append((warehouse_id, units))
        return tuple(sorted(levels))
