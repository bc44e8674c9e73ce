"""Staff exports: streamed CSV/NDJSON with the list endpoints' filters, and export jobs."""

import csv
import io
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

import orjson
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from nexus.exports import sources
from nexus.exports.encoders import export_bytes
from nexus.exports.models import ExportJob
from nexus.orders.models import Order, OrderLine
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EXPORTS = "/api/v1/staff/exports/"
JOBS = f"{EXPORTS}jobs/"
WHEN = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
ADDRESS = {"first_name": "A", "last_name": "B", "line1": "1 Road", "city": "Oslo", "country": "NO"}


@pytest.fixture
def staff_api(client_for, staff):
    return client_for(staff)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def make_order(number, *, email="a@example.com", user=None, status="paid", lines=(), when=WHEN):
    subtotal = sum((Decimal(price) * quantity for _, _, price, quantity in lines), Decimal(0))
    order = Order.objects.create(
        number=number,
        user=user,
        email=email,
        status=status,
        currency="EUR",
        subtotal=subtotal,
        shipping_total=Decimal("4.90"),
        total=subtotal + Decimal("4.90"),
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        cart_token=uuid.uuid4(),
        shipping_method_name="Standard",
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            sku=sku,
            product_name=name,
            variant_name="",
            unit_price=Decimal(price),
            quantity=quantity,
            line_total=Decimal(price) * quantity,
        )
        for sku, name, price, quantity in lines
    )
    Order.objects.filter(pk=order.pk).update(created_at=when)  # auto_now_add otherwise
    return order


@pytest.fixture
def two_orders(customer):
    first = make_order(
        "A0001",
        email="=cmd@example.com",
        user=customer,
        lines=[("SKU-1", "Shirt", "10.00", 2), ("SKU-2", "=HYPERLINK(1)", "5.50", 1)],
    )
    second = make_order("A0002", email="b@example.com", status="unpaid")
    return first, second


def body(response):
    assert isinstance(response, StreamingHttpResponse)
    return response.getvalue()


ORDERS_CSV = (
    "number,status,email,customer_id,currency,subtotal,shipping_total,discount_total,"
    "tax_total,total,shipping_method,voucher_code,tracking_number,created_at,"
    "sku,product_name,variant_name,unit_price,quantity,line_total\r\n"
    "A0001,paid,'=cmd@example.com,{customer},EUR,25.50,4.90,0.00,0.00,30.40,Standard,,,"
    "2025-03-01T12:30:00+00:00,SKU-1,Shirt,,10.00,2,20.00\r\n"
    "A0001,paid,'=cmd@example.com,{customer},EUR,25.50,4.90,0.00,0.00,30.40,Standard,,,"
    "2025-03-01T12:30:00+00:00,SKU-2,'=HYPERLINK(1),,5.50,1,5.50\r\n"
    "A0002,unpaid,b@example.com,,EUR,0.00,4.90,0.00,0.00,4.90,Standard,,,"
    "2025-03-01T12:30:00+00:00\r\n"
)


def test_orders_csv_has_one_row_per_line_and_defuses_formulas(staff_api, customer, two_orders):
    response = staff_api.get(f"{EXPORTS}orders/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert response["Cache-Control"] == "no-store"
    assert body(response).decode() == ORDERS_CSV.format(customer=customer.pk)


def test_orders_ndjson_has_one_object_per_order_with_its_lines(staff_api, customer, two_orders):
    response = staff_api.get(f"{EXPORTS}orders/?format=ndjson")
    assert response["Content-Type"] == "application/x-ndjson"
    lines = body(response).split(b"\n")
    assert lines[-1] == b""  # every record ends with a newline
    common = {
        "currency": "EUR",
        "shipping_total": "4.90",
        "discount_total": "0.00",
        "tax_total": "0.00",
        "shipping_method": "Standard",
        "voucher_code": "",
        "tracking_number": "",
        "created_at": "2025-03-01T12:30:00+00:00",
    }
    assert [orjson.loads(line) for line in lines[:-1]] == [
        {
            **common,
            "number": "A0001",
            "status": "paid",
            "email": "=cmd@example.com",  # JSON is data, not a spreadsheet: kept as it is
            "customer_id": customer.pk,
            "subtotal": "25.50",
            "total": "30.40",
            "lines": [
                {
                    "sku": "SKU-1",
                    "product_name": "Shirt",
                    "variant_name": "",
                    "unit_price": "10.00",
                    "quantity": 2,
                    "line_total": "20.00",
                },
                {
                    "sku": "SKU-2",
                    "product_name": "=HYPERLINK(1)",
                    "variant_name": "",
                    "unit_price": "5.50",
                    "quantity": 1,
                    "line_total": "5.50",
                },
            ],
        },
        {
            **common,
            "number": "A0002",
            "status": "unpaid",
            "email": "b@example.com",
            "customer_id": None,
            "subtotal": "0.00",
            "total": "4.90",
            "lines": [],
        },
    ]


def test_customers_export_counts_orders_and_paid_spending(staff_api, staff, customer, two_orders):
    make_order("A0003", user=customer, status="cancelled", lines=[("SKU-1", "Shirt", "1.00", 1)])
    response = staff_api.get(f"{EXPORTS}customers/?is_staff=false")
    joined = customer.date_joined.isoformat()
    assert body(response).decode() == (
        "customer_id,email,first_name,last_name,is_active,is_staff,date_joined,"
        "order_count,total_spent\r\n"
        f"{customer.pk},{customer.email},{customer.first_name},{customer.last_name},"
        f"True,False,{joined},2,30.40\r\n"
    )
    records = [
        orjson.loads(line)
        for line in body(staff_api.get(f"{EXPORTS}customers/?format=ndjson")).splitlines()
    ]
    by_id = {record["customer_id"]: record for record in records}
    assert by_id[staff.pk]["order_count"] == 0
    assert by_id[staff.pk]["total_spent"] == "0.00"
    assert by_id[customer.pk]["total_spent"] == "30.40"


def test_products_export_has_variants_with_available_stock(staff_api, catalog):
    response = staff_api.get(f"{EXPORTS}products/?search=linen")
    created = catalog.red_shirt.created_at.isoformat()
    variants = list(catalog.red_shirt.variants.order_by("sort_order", "id"))
    head = (
        f"{catalog.red_shirt.pk},Red linen shirt,red-linen-shirt,True,Apparel,Shirts,Acme,{created}"
    )
    assert body(response).decode() == (
        "product_id,name,slug,is_published,product_type,category,brand,created_at,"
        "sku,variant_name,price,currency,available\r\n"
        f"{head},red-linen-shirt-0,{variants[0].name},20.00,EUR,5\r\n"
        f"{head},red-linen-shirt-1,{variants[1].name},22.00,EUR,0\r\n"
    )
    record = orjson.loads(body(staff_api.get(f"{EXPORTS}products/?search=linen&format=ndjson")))
    assert [(v["sku"], v["price"], v["available"]) for v in record["variants"]] == [
        ("red-linen-shirt-0", "20.00", 5),
        ("red-linen-shirt-1", "22.00", 0),
    ]


def test_filters_are_the_list_endpoints(staff_api, staff, catalog, two_orders):
    def numbers(query):
        rows = csv.DictReader(
            io.StringIO(body(staff_api.get(f"{EXPORTS}orders/?{query}")).decode())
        )
        return sorted({row["number"] for row in rows})

    assert numbers("status=unpaid") == ["A0002"]
    assert numbers("customer=cmd") == ["A0001"]
    assert numbers("min_total=10") == ["A0001"]
    assert numbers("placed_after=2025-03-02T00:00:00Z") == []
    # The same filters give the same orders as the list endpoint.
    listed = staff_api.get("/api/v1/staff/orders/?status=paid").json()["results"]
    assert numbers("status=paid") == sorted(order["number"] for order in listed)

    hidden = body(staff_api.get(f"{EXPORTS}products/?is_published=false&format=ndjson"))
    assert [orjson.loads(line)["slug"] for line in hidden.splitlines()] == [catalog.hidden.slug]
    staff_only = body(staff_api.get(f"{EXPORTS}customers/?is_staff=true&format=ndjson"))
    assert [orjson.loads(line)["email"] for line in staff_only.splitlines()] == [staff.email]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("orders/?format=xml", "format"),
        ("orders/?status=lost", "status"),
        ("orders/?placed_after=yesterday", "placed_after"),
        ("orders/?min_total=lots", "min_total"),
        ("products/?is_published=maybe", "is_published"),
        ("products/?category=999999", "category"),
        ("customers/?joined_after=9999-12-31T23:00:00-10:00", "joined_after"),
    ],
)
def test_bad_input_is_a_400_problem(staff_api, path, field):
    response = staff_api.get(f"{EXPORTS}{path}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert [error["field"] for error in response.json()["errors"]] == [field]


def bare_staff():
    return UserFactory.create(is_staff=True)  # staff without the Staff group's permissions


@pytest.mark.parametrize("kind", ["orders", "products", "customers"])
def test_only_staff_with_the_list_permission_may_export(api, client_for, customer, staff, kind):
    path = f"{EXPORTS}{kind}/"
    assert api.get(path).status_code == 401
    assert client_for(customer).get(path).status_code == 403
    assert client_for(bare_staff()).get(path).status_code == 403
    assert client_for(staff).get(path).status_code == 200


def test_one_permission_opens_one_export_and_its_jobs_only(client_for, staff_api, two_orders):
    viewer = bare_staff()
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    viewer_api = client_for(viewer)
    assert viewer_api.get(f"{EXPORTS}orders/").status_code == 200
    assert viewer_api.get(f"{EXPORTS}customers/").status_code == 403
    assert viewer_api.post(JOBS, {"kind": "customers"}, format="json").status_code == 403
    customers_job = staff_api.post(JOBS, {"kind": "customers"}, format="json").json()["id"]
    assert viewer_api.get(JOBS).json()["results"] == []
    assert viewer_api.get(f"{JOBS}{customers_job}/").status_code == 404
    assert viewer_api.get(f"{JOBS}{customers_job}/download/").status_code == 404


def test_the_export_streams_and_the_header_leaves_before_any_query(staff_api, two_orders):
    response = staff_api.get(f"{EXPORTS}orders/")
    assert isinstance(response, StreamingHttpResponse)
    chunks = iter(cast("Iterator[bytes]", response.streaming_content))
    with CaptureQueriesContext(connection) as queries:
        first = next(chunks)
    assert first.startswith(b"number,status,email")
    assert not [q for q in queries.captured_queries if "orders_order" in q["sql"]]
    assert b"A0002" in b"".join(chunks)


def bulk_orders(count, lines_per_order=2):
    orders = Order.objects.bulk_create(
        Order(
            number=f"B{index:07d}",
            email=f"buyer{index}@example.com",
            status="paid",
            currency="EUR",
            subtotal=Decimal("30.00"),
            total=Decimal("30.00"),
            shipping_address=ADDRESS,
            billing_address=ADDRESS,
            cart_token=uuid.uuid4(),
        )
        for index in range(count)
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            sku=f"SKU-{line}",
            product_name="A product with a reasonably long name " * 2,
            unit_price=Decimal("15.00"),
            quantity=1,
            line_total=Decimal("15.00"),
        )
        for order in orders
        for line in range(lines_per_order)
    )


def test_each_chunk_costs_the_same_few_queries():
    bulk_orders(90)
    for chunk_size in (10, 30):
        with CaptureQueriesContext(connection) as queries:
            out = b"".join(
                export_bytes(
                    kind="orders",
                    export_format="ndjson",
                    queryset=Order.objects.all(),
                    chunk_size=chunk_size,
                )
            )
        assert out.count(b"\n") == 90
        sql = [q["sql"] for q in queries.captured_queries]
        # One cursor over the orders, then one query for each chunk's lines.
        assert len([s for s in sql if 'FROM "orders_order"' in s]) == 1
        assert len([s for s in sql if 'FROM "orders_orderline"' in s]) == 90 // chunk_size


def peak_memory_while_consuming(chunk_size):
    tracemalloc.start()
    try:
        size = 0
        for data in export_bytes(
            kind="orders",
            export_format="csv",
            queryset=Order.objects.all(),
            chunk_size=chunk_size,
        ):
            size += len(data)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_while_streaming():
    bulk_orders(3000)
    chunked_peak, chunked_size = peak_memory_while_consuming(chunk_size=200)
    whole_peak, whole_size = peak_memory_while_consuming(chunk_size=3000)
    assert chunked_size == whole_size > 1_000_000
    # Holding every row at once (one chunk of all 3,000 orders) costs several times
    # what streaming 200 at a time does.
    assert chunked_peak * 4 < whole_peak


# --- jobs --------------------------------------------------------------------------


def start_job(staff_api, django_capture_on_commit_callbacks, **payload):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(JOBS, payload, format="json")
    assert response.status_code == 202, response.json()
    assert response["Location"] == f"{JOBS}{response.json()['id']}/"
    return response.json()["id"]


@pytest.mark.parametrize("export_format", ["csv", "ndjson"])
def test_a_job_writes_the_same_bytes_as_the_stream(
    staff_api, two_orders, django_capture_on_commit_callbacks, export_format
):
    job_id = start_job(
        staff_api,
        django_capture_on_commit_callbacks,
        kind="orders",
        format=export_format,
        filters={"status": "paid"},
    )
    job = staff_api.get(f"{JOBS}{job_id}/").json()
    assert job["status"] == "done"
    assert (job["rows_written"], job["rows_total"], job["progress"]) == (1, 1, 100)
    assert job["filters"] == {"status": "paid"}
    assert job["download_url"] == f"http://testserver{JOBS}{job_id}/download/"
    assert [listed["id"] for listed in staff_api.get(JOBS).json()["results"]] == [job_id]

    download = staff_api.get(f"{JOBS}{job_id}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="orders-export-{job_id}.{export_format}"'
    )
    streamed = body(staff_api.get(f"{EXPORTS}orders/?status=paid&format={export_format}"))
    assert download.getvalue() == streamed


def test_a_failing_job_records_its_error_and_can_be_run_again(
    staff_api, two_orders, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(order_ids):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(sources, "_order_lines", broken)
    job_id = start_job(staff_api, django_capture_on_commit_callbacks, kind="orders")
    job = staff_api.get(f"{JOBS}{job_id}/").json()
    assert job["status"] == "failed"
    assert job["error"] == "RuntimeError: the disk is on fire"
    assert job["download_url"] is None
    refused = staff_api.get(f"{JOBS}{job_id}/download/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "export_not_ready"

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        rerun = staff_api.post(f"{JOBS}{job_id}/rerun/")
    assert rerun.status_code == 202
    job = staff_api.get(f"{JOBS}{job_id}/").json()
    assert (job["status"], job["error"], job["attempts"]) == ("done", "", 2)
    assert staff_api.post(f"{JOBS}{job_id}/rerun/").status_code == 409  # done: nothing to redo


def test_a_job_whose_worker_died_is_run_again_over_its_own_file(
    staff_api, two_orders, django_capture_on_commit_callbacks
):
    job_id = start_job(staff_api, django_capture_on_commit_callbacks, kind="orders")
    first_file = ExportJob.objects.get(pk=job_id).file_name
    # As a worker killed mid-export leaves it: running, silent for a while.
    ExportJob.objects.filter(pk=job_id).update(
        status="running", heartbeat_at=datetime(2025, 1, 1, tzinfo=UTC)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_api.post(f"{JOBS}{job_id}/rerun/").status_code == 202
    job = ExportJob.objects.get(pk=job_id)
    assert (job.status, job.file_name) == ("done", first_file)


def test_a_live_job_is_not_run_twice(staff_api, two_orders, django_capture_on_commit_callbacks):
    job_id = start_job(staff_api, django_capture_on_commit_callbacks, kind="orders")
    ExportJob.objects.filter(pk=job_id).update(status="running", heartbeat_at=datetime.now(UTC))
    assert staff_api.post(f"{JOBS}{job_id}/rerun/").status_code == 409


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "invoices"}, "kind"),
        ({"kind": "orders", "format": "xlsx"}, "format"),
        ({"kind": "orders", "filters": {"status": "lost"}}, "filters.status"),
        ({"kind": "orders", "filters": {"colour": "red"}}, "filters.colour"),
        ({"kind": "orders", "filters": {"status": 7}}, "filters.status"),
        ({"kind": "orders", "extra": 1}, "extra"),
    ],
)
def test_bad_job_input_is_a_400(staff_api, payload, field):
    response = staff_api.post(JOBS, payload, format="json")
    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not ExportJob.objects.exists()


def test_only_staff_see_jobs(api, client_for, customer):
    assert api.get(JOBS).status_code == 401
    assert client_for(customer).get(JOBS).status_code == 403
    assert client_for(customer).post(JOBS, {"kind": "orders"}, format="json").status_code == 403
