"""Bulk import: the file formats, bad rows by line, idempotent re-runs, atomic mode,
the management command and the staff upload endpoint with its background job."""

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from nexus.catalog import cache as catalog_cache
from nexus.catalog.models import Product, ProductAttributeIndex, ProductVariant
from nexus.imports.errors import ImportFileInvalid
from nexus.imports.formats import RowError
from nexus.imports.models import ImportJob
from nexus.imports.pipeline import import_catalog
from nexus.inventory.models import Stock, StockMovement, Warehouse
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAFF = "/api/v1/staff/"
PROBLEM = "application/problem+json"
HEADER = (
    "product_slug,product_name,description,category,brand,product_type,published,sku,"
    "variant_name,price,compare_at_price,weight_grams,attribute:color,attribute:size,stock:main"
)
# A new apparel product (red, sizes S and L) and a new gadget, as CSV and as NDJSON.
GOOD_CSV = [
    "tee,Basic tee,Soft cotton.,shirts,acme,apparel,true,TEE-S,S,10.00,,150,red,s,4",
    "tee,Basic tee,Soft cotton.,shirts,acme,apparel,true,TEE-L,L,12.50,15.00,170,red,l,0",
    "radio,Radio,,audio,,gadget,false,RADIO-1,,30,,,blue,,7",
]
GOOD_NDJSON: list[dict[str, Any]] = [
    {
        "product_slug": "tee",
        "product_name": "Basic tee",
        "description": "Soft cotton.",
        "category": "shirts",
        "brand": "acme",
        "product_type": "apparel",
        "published": True,
        "sku": "TEE-S",
        "variant_name": "S",
        "price": "10.00",
        "weight_grams": 150,
        "attributes": {"color": "red", "size": "s"},
        "stock": {"main": 4},
    },
    {
        "product_slug": "tee",
        "product_name": "Basic tee",
        "description": "Soft cotton.",
        "category": "shirts",
        "brand": "acme",
        "product_type": "apparel",
        "published": True,
        "sku": "TEE-L",
        "variant_name": "L",
        "price": "12.50",
        "compare_at_price": "15.00",
        "weight_grams": 170,
        "attributes": {"color": "red", "size": "l"},
        "stock": {"main": 0},
    },
    {
        "product_slug": "radio",
        "product_name": "Radio",
        "category": "audio",
        "product_type": "gadget",
        "sku": "RADIO-1",
        "price": "30",
        "attributes": {"color": "blue"},
        "stock": {"main": 7},
    },
]


def csv_bytes(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode()


def ndjson_bytes(*documents):
    return b"".join((d if isinstance(d, bytes) else orjson.dumps(d)) + b"\n" for d in documents)


def run(data, file_format="csv", **options):
    errors: list[RowError] = []
    summary = import_catalog(
        io.BytesIO(data), file_format=file_format, on_error=errors.append, **options
    )
    return summary, errors


def counts(summary):
    return (summary.created, summary.updated, summary.unchanged, summary.failed)


def snapshot():
    return {
        "products": Product.objects.count(),
        "variants": ProductVariant.objects.count(),
        "stocks": Stock.objects.count(),
        "movements": StockMovement.objects.count(),
    }


def assert_good_import(catalog, reason="Bulk import"):
    tee = Product.objects.get(slug="tee")
    assert (tee.name, tee.description, tee.category, tee.brand) == (
        "Basic tee",
        "Soft cotton.",
        catalog.shirts,
        catalog.acme,
    )
    assert tee.product_type == catalog.apparel
    assert tee.is_published
    assert tee.published_at is not None
    assert (tee.price_min, tee.price_max) == (Decimal("10.00"), Decimal("12.50"))
    assert tee.search_vector is not None
    assert list(tee.attributes.all()) == [catalog.red]
    large = ProductVariant.objects.get(sku="TEE-L")
    assert (large.name, large.price, large.compare_at_price, large.weight_grams) == (
        "L",
        Decimal("12.50"),
        Decimal("15.00"),
        170,
    )
    assert list(large.attributes.all()) == [catalog.large]
    indexed = set(
        ProductAttributeIndex.objects.filter(product=tee).values_list("value_id", flat=True)
    )
    assert indexed == {catalog.red.pk, catalog.small.pk, catalog.large.pk}
    radio = Product.objects.get(slug="radio")
    assert (radio.brand, radio.is_published, radio.published_at) == (None, False, None)
    assert list(radio.attributes.all()) == [catalog.blue]
    stock = {
        s.variant.sku: s.quantity for s in Stock.objects.filter(variant__product__in=[tee, radio])
    }
    # A level of 0 where there was no row needs no row (and no audit entry).
    assert stock == {"TEE-S": 4, "RADIO-1": 7}
    movements = StockMovement.objects.filter(stock__variant__product__in=[tee, radio])
    assert sorted((m.quantity_delta, m.quantity_after, m.reason) for m in movements) == [
        (4, 4, reason),
        (7, 7, reason),
    ]


# --- good files ------------------------------------------------------------------------


def test_a_good_csv_file_is_imported(catalog):
    summary, errors = run(csv_bytes(*GOOD_CSV))
    assert errors == []
    assert counts(summary) == (3, 0, 0, 0)
    assert_good_import(catalog)


def test_a_good_ndjson_file_is_imported(catalog):
    summary, errors = run(ndjson_bytes(*GOOD_NDJSON), "ndjson")
    assert errors == []
    assert counts(summary) == (3, 0, 0, 0)
    assert_good_import(catalog)


def test_csv_and_ndjson_give_the_same_catalog(catalog):
    run(csv_bytes(*GOOD_CSV))
    summary, errors = run(ndjson_bytes(*GOOD_NDJSON), "ndjson")
    assert errors == []
    assert counts(summary) == (0, 0, 3, 0)


def test_a_plain_stock_column_goes_to_the_given_warehouse(catalog):
    Warehouse.objects.create(name="East", slug="east")
    header = "product_slug,product_name,category,product_type,sku,price,stock"
    summary, errors = run(
        csv_bytes("mug,Mug,audio,gadget,MUG-1,5.00,9", header=header), default_warehouse="east"
    )
    assert (counts(summary), errors) == ((1, 0, 0, 0), [])
    stock = Stock.objects.get(variant__sku="MUG-1")
    assert (stock.warehouse.slug, stock.quantity) == ("east", 9)


# --- bad rows ----------------------------------------------------------------------------


def test_bad_csv_rows_are_reported_by_line_with_their_reason(catalog):
    rows = [
        "a,A,,nowhere,,gadget,,A-1,,1.00,,,,,",  # line 2
        "b,B,,audio,,gadget,,B-1,,-1.00,,,,,",
        "c,C,,audio,,gadget,,C-1,,1.005,,,,,",
        "Bad Slug,D,,audio,,gadget,,D-1,,1.00,,,,,",
        "e,E,,audio,,gadget,,E-1,,1.00,,,,s,",
        "f,F,,audio,,gadget,maybe,F-1,,1.00,,,,,",
        "g,G,,audio,,gadget,,G-1,,1.00,,,,,-3",
        "h,H,,audio,,gadget,,H-1,,1.00,,",
        "i,,,audio,,gadget,,I-1,,1.00,,,,,",
        "j,J,,audio,,gadget,,J-1,,abc,,,,,",
        "k,K,,audio,nobrand,gadget,,K-1,,1.00,,,,,",
        "l,L,,audio,,gadget,,L-1,,1.00,,,green,,",
        "m,M,,audio,,gadget,,M-1,,1.00,,heavy,,,",
        "n,N,,audio,,gadget,," + "N" * 65 + ",,1.00,,,,,",
        "o,O,,audio,,nosuchtype,,O-1,,1.00,,,,,",
        "p,P,,audio,,gadget,,P-1,,1.00,-2.00,,,,",
    ]
    before = snapshot()
    summary, errors = run(csv_bytes(*rows))
    assert errors == [
        RowError(2, "category: No category with slug 'nowhere'."),
        RowError(3, "price: Must be 0 or more."),
        RowError(4, "price: Ensure that there are no more than 2 decimal places."),
        RowError(
            5,
            "product_slug: Enter a valid “slug” consisting of letters, numbers, underscores "
            "or hyphens.",
        ),
        RowError(6, "attributes: Attribute 'size' is not allowed by the product type."),
        RowError(7, "published: Must be true or false."),
        RowError(8, "stock:main: On hand would be -3."),
        RowError(9, "Expected 15 cells, found 12."),
        RowError(10, "product_name: This field cannot be blank."),
        RowError(11, "price: “abc” value must be a decimal number."),
        RowError(12, "brand: No brand with slug 'nobrand'."),
        RowError(13, "attribute:color: No value 'green' of attribute 'color'."),
        RowError(14, "weight_grams: Must be a whole number."),
        RowError(15, "sku: Ensure this value has at most 64 characters (it has 65)."),
        RowError(16, "product_type: No product type with slug 'nosuchtype'."),
        RowError(17, "price: Must be 0 or more."),
    ]
    assert counts(summary) == (0, 0, 0, 16)
    assert snapshot() == before


def test_bad_ndjson_rows_are_reported_by_line_with_their_reason(catalog):
    radio = GOOD_NDJSON[2]
    lines = [
        b"{not json",
        b"[1, 2]",
        orjson.dumps({**radio, "colour": "red"}),
        orjson.dumps({**radio, "price": 30}),
        orjson.dumps({key: value for key, value in radio.items() if key != "sku"}),
        orjson.dumps({**radio, "published": "yes"}),
        orjson.dumps({**radio, "stock": {"main": "7"}}),
        orjson.dumps({**radio, "stock": 7}),
        orjson.dumps({**radio, "stock": {"attic": 1}}),
    ]
    summary, errors = run(ndjson_bytes(*lines), "ndjson")
    assert [(e.line, e.reason.split(":")[0] if e.line == 1 else e.reason) for e in errors] == [
        (1, "Not valid JSON"),
        (2, "Each line must be a JSON object."),
        (3, "Unknown fields: colour."),
        (4, 'price: Must be a string (a decimal string, e.g. "19.99").'),
        (5, "Missing fields: sku."),
        (6, "published: Must be true or false."),
        (7, "stock: Must map warehouse slugs to whole numbers."),
        (8, "stock: A bare number needs a warehouse (--warehouse)."),
        (9, "stock:attic: No warehouse with slug 'attic'."),
    ]
    assert counts(summary) == (0, 0, 0, 9)


def test_a_mixed_file_imports_the_good_rows_and_reports_the_bad(catalog):
    bad = "bad,Bad,,audio,,gadget,,BAD-1,,-5,,,,,"
    summary, errors = run(csv_bytes(GOOD_CSV[0], bad, GOOD_CSV[1], GOOD_CSV[2]))
    assert errors == [RowError(3, "price: Must be 0 or more.")]
    assert counts(summary) == (3, 0, 0, 1)
    assert_good_import(catalog)
    assert not Product.objects.filter(slug="bad").exists()


def test_a_mixed_ndjson_file_imports_the_good_rows(catalog):
    summary, errors = run(ndjson_bytes(GOOD_NDJSON[0], b"oops", *GOOD_NDJSON[1:]), "ndjson")
    assert [error.line for error in errors] == [2]
    assert counts(summary) == (3, 0, 0, 1)
    assert_good_import(catalog)


def test_rows_that_contradict_each_other_or_the_catalog_are_refused(catalog):
    rows = [
        GOOD_CSV[0],
        "tee,Other name,Soft cotton.,shirts,acme,apparel,true,TEE-M,M,11.00,,150,red,,",
        "dup,Dup,,audio,,gadget,,TEE-S,,1.00,,,,,",
        # a SKU of the existing red shirt under another product
        "thief,Thief,,audio,,gadget,,red-linen-shirt-0,,1.00,,,,,",
        # the existing speaker (a gadget) cannot become apparel
        "pocket-speaker,Pocket speaker,,audio,acme,apparel,true,pocket-speaker-0,,35.00,,,,,",
    ]
    summary, errors = run(csv_bytes(*rows))
    assert errors == [
        RowError(
            3,
            "product_slug: 'tee' is described differently on line 2; every row of a product "
            "must repeat the same product columns.",
        ),
        RowError(4, "sku: 'TEE-S' is already on line 2."),
        RowError(5, "sku: 'red-linen-shirt-0' belongs to another product."),
        RowError(6, "product_type: The product is of type 'gadget'; a type cannot change."),
    ]
    assert counts(summary) == (1, 0, 0, 4)
    assert not Product.objects.filter(slug="thief").exists()


def test_stock_below_what_orders_were_promised_is_refused(catalog):
    stock = Stock.objects.get(variant__sku="pocket-speaker-0")
    Stock.objects.filter(pk=stock.pk).update(quantity_allocated=5)
    row = "pocket-speaker,Pocket speaker,,audio,acme,gadget,true,pocket-speaker-0,,35.00,,,red,,2"
    _, errors = run(csv_bytes(row))
    assert errors == [RowError(2, "stock:main: 5 units are promised to orders.")]
    stock.refresh_from_db()
    assert stock.quantity == 8


def test_a_file_without_the_required_columns_is_refused_as_a_whole(catalog):
    with pytest.raises(ImportFileInvalid, match=r"Missing columns: price\."):
        run(csv_bytes(header="product_slug,product_name,category,product_type,sku"))
    with pytest.raises(ImportFileInvalid, match=r"Unknown column 'colour'\."):
        run(csv_bytes(header=HEADER + ",colour"))


# --- re-runs and updates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "file_format"),
    [(csv_bytes(*GOOD_CSV), "csv"), (ndjson_bytes(*GOOD_NDJSON), "ndjson")],
)
def test_a_rerun_of_the_same_file_changes_nothing(catalog, data, file_format):
    run(data, file_format)
    before = snapshot()
    stamps = dict(Product.objects.values_list("slug", "updated_at"))
    variant_stamps = dict(ProductVariant.objects.values_list("sku", "updated_at"))
    summary, errors = run(data, file_format)
    assert errors == []
    assert counts(summary) == (0, 0, 3, 0)
    assert snapshot() == before
    assert dict(Product.objects.values_list("slug", "updated_at")) == stamps
    assert dict(ProductVariant.objects.values_list("sku", "updated_at")) == variant_stamps


def test_changes_are_applied_and_stock_goes_through_the_audit_trail(catalog):
    run(csv_bytes(*GOOD_CSV))
    changed = [
        GOOD_CSV[0].replace(",10.00,", ",9.00,"),  # price
        GOOD_CSV[1].replace(",red,l,0", ",red,l,6"),  # stock
        GOOD_CSV[2],
    ]
    movements = StockMovement.objects.count()
    summary, errors = run(csv_bytes(*changed), actor=None, reason="Spring prices")
    assert errors == []
    assert counts(summary) == (0, 2, 1, 0)
    tee = Product.objects.get(slug="tee")
    assert (tee.price_min, tee.price_max) == (Decimal("9.00"), Decimal("12.50"))
    assert StockMovement.objects.count() == movements + 1
    movement = StockMovement.objects.latest("id")
    assert (movement.stock.variant.sku, movement.quantity_delta, movement.quantity_after) == (
        "TEE-L",
        6,
        6,
    )
    assert movement.reason == "Spring prices"


def test_product_changes_refresh_what_derives_from_them(catalog):
    row = (
        "red-linen-shirt,Red silk shirt,Smooth.,shirts,acme,apparel,true,"
        "red-linen-shirt-0,,20.00,,,blue,s,5"
    )
    summary, errors = run(csv_bytes(row))
    assert errors == []
    assert counts(summary) == (0, 1, 0, 0)
    shirt = Product.objects.get(slug="red-linen-shirt")
    assert shirt.name == "Red silk shirt"
    assert list(shirt.attributes.all()) == [catalog.blue]
    assert catalog.blue.pk in set(
        ProductAttributeIndex.objects.filter(product=shirt).values_list("value_id", flat=True)
    )
    assert Product.objects.filter(search_vector="silk", slug="red-linen-shirt").exists()


def test_the_catalog_version_is_bumped_once_per_chunk(catalog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        run(csv_bytes(*GOOD_CSV), chunk_size=2)
    assert [c for c in callbacks if c is catalog_cache.bump_version] == [
        catalog_cache.bump_version
    ] * 2
    with django_capture_on_commit_callbacks() as callbacks:
        run(csv_bytes(*GOOD_CSV), chunk_size=2)  # nothing changes: nothing to invalidate
    assert [c for c in callbacks if c is catalog_cache.bump_version] == []


# --- atomic mode ---------------------------------------------------------------------------


def test_atomic_mode_imports_nothing_when_a_row_is_bad(catalog):
    before = snapshot()
    bad = "bad,Bad,,audio,,gadget,,BAD-1,,-5,,,,,"
    summary, errors = run(csv_bytes(*GOOD_CSV, bad), atomic=True, chunk_size=2)
    assert errors == [RowError(5, "price: Must be 0 or more.")]
    assert counts(summary) == (0, 0, 0, 1)
    assert summary.rolled_back
    assert snapshot() == before


def test_atomic_mode_imports_a_good_file(catalog):
    summary, errors = run(csv_bytes(*GOOD_CSV), atomic=True)
    assert (counts(summary), errors, summary.rolled_back) == ((3, 0, 0, 0), [], False)
    assert_good_import(catalog)


# --- the command ---------------------------------------------------------------------------


def write(tmp_path, name, data):
    path = Path(tmp_path) / name
    path.write_bytes(data)
    return path


def test_the_command_imports_and_summarises(catalog, tmp_path):
    out = io.StringIO()
    call_command(
        "import_catalog", str(write(tmp_path, "a.csv", csv_bytes(*GOOD_CSV))), "--quiet", stdout=out
    )
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("3 rows in ")
    assert lines[0].endswith(": 3 created, 0 updated, 0 unchanged, 0 failed.")


def test_the_command_prints_bad_rows_and_exits_non_zero(catalog, tmp_path):
    data = ndjson_bytes(*GOOD_NDJSON, {**GOOD_NDJSON[2], "sku": "R2", "price": "-1"})
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"1 bad rows\.") as raised:
        call_command("import_catalog", str(write(tmp_path, "a.jsonl", data)), "--quiet", stdout=out)
    assert raised.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == "line 4: price: Must be 0 or more."
    assert lines[1].endswith(": 3 created, 0 updated, 0 unchanged, 1 failed.")


def test_the_command_in_atomic_mode_says_nothing_was_imported(catalog, tmp_path):
    data = csv_bytes(*GOOD_CSV, "bad,Bad,,audio,,gadget,,BAD-1,,-5,,,,,")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_catalog", str(write(tmp_path, "a.csv", data)), "--atomic", "--quiet", stdout=out
        )
    assert "Nothing was imported (--atomic and some rows were bad)." in out.getvalue()
    assert not Product.objects.filter(slug="tee").exists()


def test_the_command_refuses_an_unreadable_file(catalog, tmp_path):
    with pytest.raises(CommandError, match="give --format"):
        call_command("import_catalog", str(write(tmp_path, "a.txt", b"x")), "--quiet")
    with pytest.raises(CommandError, match=r"No warehouse with slug 'attic'\."):
        call_command(
            "import_catalog",
            str(write(tmp_path, "a.csv", csv_bytes(*GOOD_CSV))),
            "--warehouse",
            "attic",
            "--quiet",
        )


# --- the staff endpoint and its job ----------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def staff_without_permissions(db):
    return UserFactory.create(is_staff=True)


@pytest.fixture
def staff_who_may_only_add(db):
    user = UserFactory.create(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_product"))
    return user


def upload(name="catalog.csv", data=None, content_type="text/csv"):
    return SimpleUploadedFile(name, csv_bytes(*GOOD_CSV) if data is None else data, content_type)


def post_import(client, capture, **fields):
    fields.setdefault("file", upload())
    with capture(execute=True):  # the job runs after commit (eager Celery in tests)
        return client.post(f"{STAFF}imports/", fields, format="multipart")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 401),
        ("customer", 403),
        ("staff_without_permissions", 403),
        ("staff_who_may_only_add", 403),
        ("staff", None),
    ],
)
@pytest.mark.parametrize("method", ["list", "detail", "errors", "upload"])
def test_permission_table(
    request,
    api,
    client_for,
    catalog,
    staff,
    django_capture_on_commit_callbacks,
    who,
    expected,
    method,
):
    job = ImportJob.objects.create(
        file_format="csv", original_name="x.csv", failed=1, requested_by=staff
    )
    job.error_report.save("errors.csv", SimpleUploadedFile("e.csv", b"line,reason\n2,bad\n"))
    client = api if who == "anonymous" else client_for(request.getfixturevalue(who))
    jobs = ImportJob.objects.count()
    if method == "upload":
        response = post_import(client, django_capture_on_commit_callbacks)
    else:
        url = {
            "list": f"{STAFF}imports/",
            "detail": f"{STAFF}imports/{job.pk}/",
            "errors": f"{STAFF}imports/{job.pk}/errors/",
        }[method]
        response = client.get(url)
    if expected is None:
        assert response.status_code == (202 if method == "upload" else 200)
    else:
        assert response.status_code == expected
        assert response["Content-Type"] == PROBLEM
        assert ImportJob.objects.count() == jobs


def test_an_upload_runs_as_a_job_to_done_with_counts(
    client_for, staff, catalog, django_capture_on_commit_callbacks, media_root
):
    client = client_for(staff)
    response = post_import(client, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    job_id = response.json()["id"]
    body = client.get(f"{STAFF}imports/{job_id}/").json()
    assert {k: body[k] for k in ("status", "created", "updated", "unchanged", "failed")} == {
        "status": "done",
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
    }
    assert (body["progress"], body["rows_handled"], body["has_error_report"]) == (100, 3, False)
    assert body["original_name"] == "catalog.csv"
    assert body["requested_by"] == staff.pk
    assert_good_import(catalog, reason=f"Import {job_id}")
    # The stock audit names who asked for the import.
    assert set(
        StockMovement.objects.filter(stock__variant__sku="TEE-S").values_list("actor", "reason")
    ) == {(staff.pk, f"Import {job_id}")}
    assert client.get(f"{STAFF}imports/{job_id}/errors/").status_code == 404
    assert [job["id"] for job in client.get(f"{STAFF}imports/").json()["results"]] == [job_id]
    assert any(media_root.rglob("import-*.csv"))  # kept through the storage API


def test_bad_rows_of_an_upload_are_downloadable_as_csv(
    client_for, staff, catalog, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    data = ndjson_bytes(GOOD_NDJSON[0], b"oops", {**GOOD_NDJSON[2], "price": "-1"})
    response = post_import(
        client,
        django_capture_on_commit_callbacks,
        file=upload("rows.ndjson", data, "application/x-ndjson"),
    )
    job_id = response.json()["id"]
    body = client.get(f"{STAFF}imports/{job_id}/").json()
    assert (body["status"], body["created"], body["failed"], body["has_error_report"]) == (
        "done",
        1,
        2,
        True,
    )
    report = client.get(f"{STAFF}imports/{job_id}/errors/")
    assert report.status_code == 200
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(report.streaming_content).decode()
    assert content.splitlines() == [
        "line,reason",
        (
            '2,"Not valid JSON: unexpected character, expected a JSON value: '
            'line 1 column 1 (char 0)."'
        ),
        "3,price: Must be 0 or more.",
    ]


def test_an_atomic_upload_with_a_bad_row_imports_nothing(
    client_for, staff, catalog, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    data = csv_bytes(*GOOD_CSV, "bad,Bad,,audio,,gadget,,BAD-1,,-5,,,,,")
    response = post_import(
        client, django_capture_on_commit_callbacks, file=upload(data=data), atomic="true"
    )
    body = client.get(f"{STAFF}imports/{response.json()['id']}/").json()
    assert (body["status"], body["created"], body["failed"], body["rolled_back"]) == (
        "done",
        0,
        1,
        True,
    )
    assert not Product.objects.filter(slug="tee").exists()


def test_an_unreadable_file_fails_the_job_with_the_reason(
    client_for, staff, catalog, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    response = post_import(
        client, django_capture_on_commit_callbacks, file=upload(data=b"sku,price\nA,1\n")
    )
    body = client.get(f"{STAFF}imports/{response.json()['id']}/").json()
    assert (body["status"], body["detail"]) == (
        "failed",
        "Missing columns: product_slug, product_name, category, product_type.",
    )


def test_an_upload_over_the_limit_is_413(client_for, staff, catalog, settings, media_root):
    settings.API_MAX_UPLOAD_BYTES = 64
    response = client_for(staff).post(f"{STAFF}imports/", {"file": upload()}, format="multipart")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not ImportJob.objects.exists()
    assert not media_root.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"file": upload("catalog.xlsx", b"PK\x03\x04", "application/vnd.ms-excel")}, "file"),
        ({}, "file"),
        ({"file": upload(), "format": "xml"}, "format"),
        ({"file": upload(), "colour": "red"}, "colour"),
    ],
)
def test_bad_uploads_are_400(client_for, staff, catalog, fields, field):
    response = client_for(staff).post(f"{STAFF}imports/", fields, format="multipart")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not ImportJob.objects.exists()


def test_an_upload_needs_multipart(client_for, staff, catalog):
    response = client_for(staff).post(f"{STAFF}imports/", {"file": "x"}, format="json")
    assert response.status_code == 415


def test_an_unknown_job_is_404(client_for, staff):
    response = client_for(staff).get(f"{STAFF}imports/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "import_job_not_found"


def test_a_chunk_the_database_refuses_is_retried_row_by_row(catalog, monkeypatch):
    """A refusal the checks could not foresee (here: a SKU a concurrent writer took)
    costs only its own row."""
    from nexus.catalog.errors import SkuTaken  # noqa: PLC0415
    from nexus.imports.upsert import upsert_rows as real  # noqa: PLC0415

    def refusing(rows, **kwargs):
        if any(row.variant.sku == "RADIO-1" for row in rows):
            raise SkuTaken(field_errors={"sku": [SkuTaken.default_message]})
        return real(rows, **kwargs)

    monkeypatch.setattr("nexus.imports.pipeline.upsert_rows", refusing)
    summary, errors = run(csv_bytes(*GOOD_CSV))
    assert errors == [RowError(4, "sku: This SKU is already used.")]
    assert counts(summary) == (2, 0, 0, 1)
    assert set(
        ProductVariant.objects.filter(sku__in=["TEE-S", "TEE-L"]).values_list("sku", flat=True)
    ) == {"TEE-S", "TEE-L"}
