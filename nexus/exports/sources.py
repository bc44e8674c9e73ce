"""What each export contains: one record generator per resource, and its CSV shape.

A record generator takes the (already filtered) queryset and yields lists of plain
records, one list per chunk, so that the streaming endpoint and the export job
share it. Each chunk costs a constant number of queries whatever its size:

- orders: the next chunk from one server-side cursor, then their lines (1 query);
- products: the next chunk (category, type and brand joined), their variants
  (1 query) and the units available of those variants (2 queries);
- customers: the next chunk, order count and total spent annotated in the same query.

Records hold only JSON types (money as strings, times as ISO 8601), so that NDJSON
needs no per-value hook and CSV shows the same text.
"""

from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from nexus.catalog.models import ProductVariant
from nexus.exports.models import ExportKind
from nexus.inventory.selectors import quantities_available
from nexus.orders.models import Order, OrderLine

Record = dict[str, Any]
CHUNK_SIZE = 500

# Orders that brought money in; cancelled, refunded and unpaid ones did not.
SPENDING_STATUSES = (
    Order.Status.PAID,
    Order.Status.FULFILLED,
    Order.Status.SHIPPED,
    Order.Status.DELIVERED,
    Order.Status.PARTIALLY_REFUNDED,
)


@dataclass(frozen=True)
class ExportSource:
    kind: ExportKind
    csv_header: tuple[str, ...]
    batches: Callable[[QuerySet[Any], int], Generator[list[Record]]]
    csv_rows: Callable[[Record], Iterable[Sequence[Any]]]


def _chunks(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _streamed(
    queryset: QuerySet[Any], fields: Sequence[str], chunk_size: int
) -> Iterator[list[tuple[Any, ...]]]:
    """Rows of ``queryset`` in primary-key order, ``chunk_size`` at a time, from one
    server-side cursor on PostgreSQL (never the whole result in this process).

    Whether PostgreSQL streams or first materialises the result on its side is the
    caller's choice: see ``encoders.export_bytes`` and ``services.export_job_run``.
    """
    rows = (
        queryset.prefetch_related(None)
        .order_by("pk")
        .values_list(*fields)
        .iterator(chunk_size=chunk_size)
    )
    yield from _chunks(rows, chunk_size)


def _csv_text(value: str | None) -> str | None:
    """Free text as a spreadsheet will not run it: a cell starting with = + - @ (or a
    tab or carriage return) is a formula to Excel and LibreOffice, so it gets a
    leading apostrophe (OWASP's advice against CSV injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


# --- orders -------------------------------------------------------------------------

ORDER_COLUMNS = (
    "number",
    "status",
    "email",
    "customer_id",
    "currency",
    "subtotal",
    "shipping_total",
    "discount_total",
    "tax_total",
    "total",
    "shipping_method",
    "voucher_code",
    "tracking_number",
    "created_at",
)
LINE_COLUMNS = ("sku", "product_name", "variant_name", "unit_price", "quantity", "line_total")
_ORDER_FIELDS = (
    "pk",
    "number",
    "status",
    "email",
    "user_id",
    "currency",
    "subtotal",
    "shipping_total",
    "discount_total",
    "tax_total",
    "total",
    "shipping_method_name",
    "voucher_code",
    "tracking_number",
    "created_at",
)


def _order_lines(order_ids: list[int]) -> dict[int, list[Record]]:
    lines: dict[int, list[Record]] = defaultdict(list)
    rows = (
        OrderLine.objects.filter(order_id__in=order_ids)
        .order_by("order_id", "id")
        .values_list(
            "order_id",
            "sku",
            "product_name",
            "variant_name",
            "unit_price",
            "quantity",
            "line_total",
        )
    )
    for order_id, sku, product_name, variant_name, unit_price, quantity, line_total in rows:
        lines[order_id].append(
            {
                "sku": sku,
                "product_name": product_name,
                "variant_name": variant_name,
                "unit_price": str(unit_price),
                "quantity": quantity,
                "line_total": str(line_total),
            }
        )
    return lines


def order_batches(orders: QuerySet[Any], chunk_size: int) -> Generator[list[Record]]:
    """Orders, oldest first, each with its lines in the order they were added."""
    for chunk in _streamed(orders, _ORDER_FIELDS, chunk_size):
        lines = _order_lines([row[0] for row in chunk])
        yield [
            {
                "number": number,
                "status": status,
                "email": email,
                "customer_id": user_id,
                "currency": currency,
                "subtotal": str(subtotal),
                "shipping_total": str(shipping_total),
                "discount_total": str(discount_total),
                "tax_total": str(tax_total),
                "total": str(total),
                "shipping_method": method,
                "voucher_code": voucher_code,
                "tracking_number": tracking,
                "created_at": created_at.isoformat(),
                "lines": lines.get(pk, []),
            }
            for (
                pk,
                number,
                status,
                email,
                user_id,
                currency,
                subtotal,
                shipping_total,
                discount_total,
                tax_total,
                total,
                method,
                voucher_code,
                tracking,
                created_at,
            ) in chunk
        ]


def order_csv_rows(order: Record) -> Iterator[Sequence[Any]]:
    """One row per line with the order's columns repeated; an order without lines
    still gets one row (empty line columns), so no order goes missing."""
    head = [order[column] for column in ORDER_COLUMNS]
    head[2] = _csv_text(head[2])  # email
    if not order["lines"]:
        yield head
        return
    for line in order["lines"]:
        yield [
            *head,
            _csv_text(line["sku"]),
            _csv_text(line["product_name"]),
            _csv_text(line["variant_name"]),
            line["unit_price"],
            line["quantity"],
            line["line_total"],
        ]


# --- products -----------------------------------------------------------------------

PRODUCT_COLUMNS = (
    "product_id",
    "name",
    "slug",
    "is_published",
    "product_type",
    "category",
    "brand",
    "created_at",
)
VARIANT_COLUMNS = ("sku", "variant_name", "price", "currency", "available")
_PRODUCT_FIELDS = (
    "pk",
    "name",
    "slug",
    "is_published",
    "product_type__name",
    "category__name",
    "brand__name",
    "created_at",
)


def _product_variants(product_ids: list[int]) -> dict[int, list[Record]]:
    rows = list(
        ProductVariant.objects.filter(product_id__in=product_ids)
        .order_by("product_id", "sort_order", "id")
        .values_list("pk", "product_id", "sku", "name", "price", "currency")
    )
    # On hand - allocated - live cart reservations, as checkout counts it.
    available = quantities_available(variant_ids=[row[0] for row in rows])
    variants: dict[int, list[Record]] = defaultdict(list)
    for variant_id, product_id, sku, name, price, currency in rows:
        variants[product_id].append(
            {
                "sku": sku,
                "name": name,
                "price": str(price),
                "currency": currency,
                "available": available.get(variant_id, 0),
            }
        )
    return variants


def product_batches(products: QuerySet[Any], chunk_size: int) -> Generator[list[Record]]:
    """Products, oldest first, published or not, each with its variants and stock."""
    for chunk in _streamed(products, _PRODUCT_FIELDS, chunk_size):
        variants = _product_variants([row[0] for row in chunk])
        yield [
            {
                "product_id": pk,
                "name": name,
                "slug": slug,
                "is_published": is_published,
                "product_type": product_type,
                "category": category,
                "brand": brand,
                "created_at": created_at.isoformat(),
                "variants": variants.get(pk, []),
            }
            for pk, name, slug, is_published, product_type, category, brand, created_at in chunk
        ]


def product_csv_rows(product: Record) -> Iterator[Sequence[Any]]:
    """One row per variant with the product's columns repeated (or one row for a
    product without variants)."""
    head = [product[column] for column in PRODUCT_COLUMNS]
    for index in (1, 4, 5, 6):  # name, type, category, brand
        head[index] = _csv_text(head[index])
    if not product["variants"]:
        yield head
        return
    for variant in product["variants"]:
        yield [
            *head,
            _csv_text(variant["sku"]),
            _csv_text(variant["name"]),
            variant["price"],
            variant["currency"],
            variant["available"],
        ]


# --- customers ----------------------------------------------------------------------

CUSTOMER_COLUMNS = (
    "customer_id",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "date_joined",
    "order_count",
    "total_spent",
)
_CUSTOMER_FIELDS = (
    "pk",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "date_joined",
)


def _with_spending(customers: QuerySet[Any]) -> QuerySet[Any]:
    """Each account's order count (any state) and total spent (orders that were
    paid), as correlated subqueries: one query that still streams row by row, which
    a GROUP BY over all orders would not (it aggregates everything first)."""
    own_orders = Order.objects.filter(user_id=OuterRef("pk")).order_by().values("user_id")
    order_count = own_orders.annotate(n=Count("pk")).values("n")
    spent = (
        own_orders.filter(status__in=SPENDING_STATUSES)
        .annotate(total_spent=Sum("total"))
        .values("total_spent")
    )
    money = DecimalField(max_digits=16, decimal_places=2)
    annotated: QuerySet[Any] = customers.annotate(
        order_count=Coalesce(Subquery(order_count, output_field=IntegerField()), 0),
        total_spent=Coalesce(
            Subquery(spent, output_field=money), Value(Decimal(0)), output_field=money
        ),
    )
    return annotated


def customer_batches(customers: QuerySet[Any], chunk_size: int) -> Generator[list[Record]]:
    """Accounts, oldest first, with how many orders they placed and what they spent."""
    fields = (*_CUSTOMER_FIELDS, "order_count", "total_spent")
    for chunk in _streamed(_with_spending(customers), fields, chunk_size):
        yield [
            {
                "customer_id": pk,
                "email": email,
                "first_name": first_name,
                "last_name": last_name,
                "is_active": is_active,
                "is_staff": is_staff,
                "date_joined": date_joined.isoformat(),
                "order_count": order_count,
                "total_spent": f"{total_spent:.2f}",
            }
            for (
                pk,
                email,
                first_name,
                last_name,
                is_active,
                is_staff,
                date_joined,
                order_count,
                total_spent,
            ) in chunk
        ]


def customer_csv_rows(customer: Record) -> Iterator[Sequence[Any]]:
    row = [customer[column] for column in CUSTOMER_COLUMNS]
    for index in (1, 2, 3):  # email, first and last name: typed by the customer
        row[index] = _csv_text(row[index])
    yield row


SOURCES: dict[str, ExportSource] = {
    ExportKind.ORDERS: ExportSource(
        kind=ExportKind.ORDERS,
        csv_header=(*ORDER_COLUMNS, *LINE_COLUMNS),
        batches=order_batches,
        csv_rows=order_csv_rows,
    ),
    ExportKind.PRODUCTS: ExportSource(
        kind=ExportKind.PRODUCTS,
        csv_header=(*PRODUCT_COLUMNS, *VARIANT_COLUMNS),
        batches=product_batches,
        csv_rows=product_csv_rows,
    ),
    ExportKind.CUSTOMERS: ExportSource(
        kind=ExportKind.CUSTOMERS,
        csv_header=CUSTOMER_COLUMNS,
        batches=customer_batches,
        csv_rows=customer_csv_rows,
    ),
}
