"""Sales reports against figures worked out by hand from a small, fixed set of orders."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.orders.models import Order, OrderLine
from nexus.payments.models import Payment, Refund
from nexus.reports.charts import line_chart
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
SALES = "/api/v1/staff/reports/sales/"
ADDRESS = {"first_name": "A", "last_name": "B", "line1": "1", "city": "Oslo", "country": "NO"}


def _order(number, at, status, total, lines, refunds=()):
    order = Order.objects.create(
        number=number,
        email=f"{number}@example.com",
        status=status,
        currency="EUR",
        subtotal=sum((Decimal(q) * Decimal(p) for _, q, p in lines), Decimal(0)),
        total=Decimal(total),
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        cart_token=uuid.uuid4(),
    )
    Order.objects.filter(pk=order.pk).update(created_at=at)  # auto_now_add ignores a value
    for variant, quantity, price in lines:
        OrderLine.objects.create(
            order=order,
            variant=variant,
            sku=variant.sku,
            product_name=variant.product.name,
            unit_price=Decimal(price),
            quantity=quantity,
            line_total=Decimal(price) * quantity,
        )
    if refunds:
        payment = Payment.objects.create(
            order=order, gateway="sandbox", status="succeeded", amount=Decimal(total),
            currency="EUR", amount_received=Decimal(total),
        )  # fmt: skip
        for amount, state in refunds:
            Refund.objects.create(payment=payment, amount=Decimal(amount), status=state)
    return order


@pytest.fixture
def sales(catalog):
    red = catalog.red_shirt.variants.order_by("sku")[0]
    blue = catalog.blue_shirt.variants.get()
    phones = catalog.headphones.variants.get()

    def at(month_day: tuple[int, int], hour: int = 10, minute: int = 0) -> datetime:
        month, day = month_day
        return datetime(2026, month, day, hour, minute, tzinfo=UTC)

    _order("A", at((3, 2)), "paid", "50.00", [(red, 2, "20.00")])
    _order("B", at((3, 2), 23, 30), "shipped", "120.00", [(phones, 1, "120.00")])
    _order("C", at((3, 9)), "refunded", "45.00", [(blue, 1, "45.00")], [("45.00", "succeeded")])
    _order("D", at((3, 9)), "unpaid", "999.00", [(phones, 8, "120.00")])  # not a sale
    _order("E", at((4, 1)), "cancelled", "20.00", [(red, 1, "20.00")])  # not a sale
    _order(
        "F", at((4, 15)), "delivered", "20.00", [(red, 1, "20.00")],
        [("5.00", "succeeded"), ("3.00", "pending")],  # only a confirmed refund counts
    )  # fmt: skip


@pytest.fixture
def reporter(client_for):
    user = StaffFactory.create()
    user.user_permissions.add(Permission.objects.get(codename="view_order"))
    return client_for(user)


def _report(api, **params):
    response = api.get(SALES, params)
    assert response.status_code == 200, response.json()
    return response.json()


def _rows(report):
    return {
        row["key"]: (row["orders"], row["units"], row["revenue"], row["refunds"])
        for row in report["rows"]
        if row["orders"]
    }


def test_sales_by_day(reporter, sales):
    report = _report(reporter, start="2026-03-01", end="2026-03-10")
    assert len(report["rows"]) == 10  # every day, sales or not
    assert _rows(report) == {
        "2026-03-02": (2, 3, "170.00", "0.00"),
        "2026-03-09": (1, 1, "45.00", "45.00"),
    }
    second = next(row for row in report["rows"] if row["key"] == "2026-03-02")
    assert second["average_order_value"] == "85.00"
    assert report["totals"] == {
        "key": "",
        "name": "All",
        "orders": 3,
        "units": 4,
        "revenue": "215.00",
        "average_order_value": "71.67",
        "refunds": "45.00",
    }
    assert report["currency"] == "EUR"


def test_sales_by_week_and_month(reporter, sales):
    weeks = _report(reporter, start="2026-03-01", end="2026-03-31", group="week")
    assert [row["key"] for row in weeks["rows"]][:3] == ["2026-02-23", "2026-03-02", "2026-03-09"]
    assert _rows(weeks) == {
        "2026-03-02": (2, 3, "170.00", "0.00"),
        "2026-03-09": (1, 1, "45.00", "45.00"),
    }
    months = _report(reporter, start="2026-03-01", end="2026-04-30", group="month")
    assert _rows(months) == {
        "2026-03-01": (3, 4, "215.00", "45.00"),
        "2026-04-01": (1, 1, "20.00", "5.00"),
    }


def test_sales_by_category_and_product(reporter, sales):
    categories = _report(reporter, start="2026-03-01", end="2026-04-30", group="category")
    assert [
        (r["key"], r["orders"], r["units"], r["revenue"], r["refunds"]) for r in categories["rows"]
    ] == [
        ("audio", 1, 1, "120.00", None),
        ("shirts", 3, 4, "105.00", None),
    ]
    products = _report(reporter, start="2026-03-01", end="2026-04-30", group="product", limit=2)
    assert [(r["key"], r["orders"], r["units"], r["revenue"]) for r in products["rows"]] == [
        ("wireless-headphones", 1, 1, "120.00"),
        ("red-linen-shirt", 2, 3, "60.00"),
    ]


def test_days_follow_the_shops_time_zone(reporter, sales, settings):
    settings.TIME_ZONE = "Europe/Berlin"  # 23:30 UTC on 2 March is 00:30 on 3 March there
    report = _report(reporter, start="2026-03-01", end="2026-03-10")
    assert _rows(report)["2026-03-03"] == (1, 1, "120.00", "0.00")
    assert _rows(report)["2026-03-02"] == (1, 2, "50.00", "0.00")


def test_the_number_of_queries_does_not_grow_with_the_orders(reporter, sales, catalog):
    counts = set()
    for attempt in range(2):
        with CaptureQueriesContext(connection) as queries:
            _report(reporter, start="2026-03-01", end="2026-04-30")
        counts.add(len(queries))
        _order(f"X{attempt}", datetime(2026, 3, 5, tzinfo=UTC), "paid", "10.00",
               [(catalog.headphones.variants.get(), 1, "10.00")])  # fmt: skip
    assert len(counts) == 1, counts


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-03-10", "end": "2026-03-01"}, "end"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "end"),  # over two years by day
        ({"start": "2026-13-01", "end": "2026-12-31"}, "start"),
        ({"start": "2026-01-01", "end": "2026-01-31", "group": "hour"}, "group"),
        ({"end": "2026-01-31"}, "start"),
        ({"start": "2026-01-01", "end": "2026-01-31", "limit": "0"}, "limit"),
        ({"start": "2026-01-01", "end": "2026-01-31", "colour": "red"}, "colour"),
    ],
)
def test_bad_queries_are_400(reporter, params, field):
    response = reporter.get(SALES, params)
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}


def test_only_staff_with_order_access_see_reports(api, client_for, customer, staff, reporter):
    query = {"start": "2026-03-01", "end": "2026-03-10"}
    assert api.get(SALES, query).status_code == 401
    assert client_for(customer).get(SALES, query).status_code == 403
    without = StaffFactory.create()
    without.groups.clear()
    assert client_for(without).get(SALES, query).status_code == 403
    assert reporter.get(SALES, query).status_code == 200


def test_the_admin_dashboard_draws_revenue(client, sales, staff):
    client.force_login(staff)  # the Staff group may view orders
    page = client.get("/admin/sales/", HTTP_HOST="localhost")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body
    assert "<polyline" in body
    assert body.count("<tr>") >= 2  # the month table


def test_the_admin_dashboard_is_for_staff_only(client, customer):
    client.force_login(customer)
    page = client.get("/admin/sales/", HTTP_HOST="localhost")
    assert page.status_code == 302  # to the admin's sign-in


def test_the_chart_scales_values_into_its_frame():
    chart = line_chart(["a", "b", "c"], [Decimal(0), Decimal(150), Decimal(75)])
    points = [tuple(map(float, p.split(","))) for p in chart.points.split()]
    assert [x for x, _ in points] == [70.0, 425.0, 780.0]
    assert points[0][1] == chart.baseline  # zero sits on the axis
    assert points[1][1] < points[2][1] < points[0][1]  # higher values are drawn higher
    assert [t.label for t in chart.y_ticks] == ["0", "50", "100", "150", "200"]


def test_the_sales_index_covers_exactly_the_sale_statuses():
    index = next(i for i in Order._meta.indexes if i.name == "order_sales_by_date")
    [(lookup, statuses)] = index.condition.children
    assert lookup == "status__in"
    assert set(statuses) == set(Order.SALE_STATUSES)
