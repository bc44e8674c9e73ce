"""Sales reports, computed by PostgreSQL in a few grouped queries.

What counts as a sale: an order that was paid (paid, fulfilled, shipped, delivered,
refunded in part or in full), dated by when it was placed, in the shop's time zone.
Revenue is what the orders charged (their totals: goods, shipping and tax, after
discounts); by category or product it is what their lines sold for. Refunds are what
was paid back for the period's orders (by the time grouping only: a refund belongs to
an order, not to one of its lines).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DecimalField, Max, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Trunc

from nexus.orders.models import Order, OrderLine
from nexus.payments.models import Refund
from nexus.reports.errors import ReportRangeInvalid

Period = Literal["day", "week", "month"]
Grouping = Literal["day", "week", "month", "category", "product"]

# The longest range each grouping covers: enough for its use, bounded in rows and work.
MAX_DAYS: dict[str, int] = {
    "day": 2 * 366,
    "week": 5 * 366,
    "month": 10 * 366,
    "category": 10 * 366,
    "product": 10 * 366,
}
CENT = Decimal("0.01")
_ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))


@dataclass(frozen=True)
class SalesRow:
    key: str  # the period's first day (ISO), or the category's / product's slug
    label: str
    orders: int
    units: int
    revenue: Decimal
    refunds: Decimal | None

    @property
    def average_order_value(self) -> Decimal:
        if not self.orders:
            return Decimal("0.00")
        return (self.revenue / self.orders).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SalesReport:
    start: date
    end: date
    grouping: Grouping
    currency: str
    rows: list[SalesRow]
    totals: SalesRow


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _bounds(start: date, end: date, grouping: Grouping) -> tuple[datetime, datetime]:
    if end < start:
        raise ReportRangeInvalid(field_errors={"end": ["Must not be before start."]})
    if (end - start).days + 1 > MAX_DAYS[grouping]:
        raise ReportRangeInvalid(
            field_errors={"end": [f"At most {MAX_DAYS[grouping]} days when grouped by {grouping}."]}
        )
    zone = _zone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _sales(since: datetime, until: datetime) -> QuerySet[Order]:
    return Order.objects.filter(
        status__in=Order.SALE_STATUSES,
        created_at__gte=since,
        created_at__lt=until,
        currency=settings.SHOP_CURRENCY,
    )


def _periods(start: date, end: date, period: Period) -> Iterator[date]:
    """Every period's first day from the one holding ``start`` to the one holding ``end``."""
    if period == "day":
        first = start
    elif period == "week":
        first = start - timedelta(days=start.weekday())  # Monday, as PostgreSQL's week
    else:
        first = start.replace(day=1)
    while first <= end:
        yield first
        if period == "day":
            first += timedelta(days=1)
        elif period == "week":
            first += timedelta(weeks=1)
        else:
            first = (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def _by_period(orders: QuerySet[Order], start: date, end: date, period: Period) -> list[SalesRow]:
    zone = _zone()

    def bucket(field: str) -> Trunc:
        return Trunc(field, period, tzinfo=zone)

    totals: dict[date, dict[str, Any]] = {
        row["bucket"].date(): dict(row)
        for row in orders.annotate(bucket=bucket("created_at"))
        .values("bucket")
        .annotate(orders=Count("id"), revenue=Sum("total"))
        .order_by()
    }
    units = {
        row["bucket"].date(): row["units"]
        for row in OrderLine.objects.filter(order__in=orders)
        .annotate(bucket=bucket("order__created_at"))
        .values("bucket")
        .annotate(units=Sum("quantity"))
        .order_by()
    }
    refunds = {
        row["bucket"].date(): row["refunds"]
        for row in Refund.objects.filter(status=Refund.Status.SUCCEEDED, payment__order__in=orders)
        .annotate(bucket=bucket("payment__order__created_at"))
        .values("bucket")
        .annotate(refunds=Sum("amount"))
        .order_by()
    }
    rows = []
    for first in _periods(start, end, period):  # every period, sales or not: a chart's x axis
        found: dict[str, Any] = totals.get(first, {})
        rows.append(
            SalesRow(
                key=first.isoformat(),
                label=first.isoformat(),
                orders=int(found.get("orders", 0)),
                units=int(units.get(first, 0)),
                revenue=found.get("revenue") or Decimal("0.00"),
                refunds=refunds.get(first) or Decimal("0.00"),
            )
        )
    return rows


def _by_line_group(orders: QuerySet[Order], key: str, label: str, *, limit: int) -> list[SalesRow]:
    rows = (
        OrderLine.objects.filter(order__in=orders)
        .values(key)
        .annotate(
            label=Max(label),
            orders=Count("order", distinct=True),
            units=Sum("quantity"),
            revenue=Coalesce(Sum("line_total"), _ZERO),
        )
        .order_by("-revenue", key)[:limit]
    )
    return [
        SalesRow(
            key=str(row[key]) if row[key] is not None else "",
            label=row["label"] or "(no longer in the catalog)",
            orders=row["orders"],
            units=int(row["units"] or 0),
            revenue=row["revenue"],
            refunds=None,
        )
        for row in rows
    ]


def _totals(orders: QuerySet[Order]) -> SalesRow:
    whole: dict[str, Any] = orders.aggregate(
        orders=Count("id"), revenue=Coalesce(Sum("total"), _ZERO)
    )
    units = OrderLine.objects.filter(order__in=orders).aggregate(units=Sum("quantity"))["units"]
    refunded = Refund.objects.filter(
        status=Refund.Status.SUCCEEDED, payment__order__in=orders
    ).aggregate(total=Coalesce(Sum("amount"), _ZERO))["total"]
    return SalesRow(
        key="",
        label="All",
        orders=whole["orders"],
        units=int(units or 0),
        revenue=whole["revenue"],
        refunds=refunded,
    )


def sales_report(*, start: date, end: date, grouping: Grouping, limit: int = 50) -> SalesReport:
    """Sales between two dates (both included), grouped by period, category or product
    (the ``limit`` best-selling, by revenue)."""
    since, until = _bounds(start, end, grouping)
    orders = _sales(since, until)
    if grouping == "category" or grouping == "product":  # noqa: PLR1714 — narrows the type
        if grouping == "category":
            key, label = "variant__product__category__slug", "variant__product__category__name"
        else:
            key, label = "variant__product__slug", "product_name"
        rows = _by_line_group(orders, key, label, limit=limit)
        totals = _totals(orders)
    else:
        rows = _by_period(orders, start, end, grouping)
        # Every sale falls in one period: the rows add up to the whole.
        totals = SalesRow(
            key="",
            label="All",
            orders=sum(row.orders for row in rows),
            units=sum(row.units for row in rows),
            revenue=sum((row.revenue for row in rows), Decimal("0.00")),
            refunds=sum((row.refunds or Decimal(0) for row in rows), Decimal("0.00")),
        )
    return SalesReport(start, end, grouping, settings.SHOP_CURRENCY, rows, totals)
