"""Stock for staff: warehouses, adjustments with their audit trail, levels, thresholds."""

import pytest

from nexus.inventory.models import Stock, StockMovement, Warehouse

pytestmark = pytest.mark.django_db

STAFF = "/api/v1/staff/"


@pytest.fixture
def staff_api(client_for, staff):
    return client_for(staff)


def variant_of(product, index=0):
    return product.variants.order_by("sku")[index]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "warehouses/"),
        ("post", "warehouses/"),
        ("get", "warehouses/1/"),
        ("patch", "warehouses/1/"),
        ("delete", "warehouses/1/"),
        ("get", "stock/"),
        ("post", "stock/adjustments/"),
        ("put", "stock/thresholds/"),
    ],
)
def test_only_staff_may_touch_stock(api, client_for, customer, method, path):
    assert getattr(api, method)(f"{STAFF}{path}", {}, format="json").status_code == 401
    customer_api = client_for(customer)
    assert getattr(customer_api, method)(f"{STAFF}{path}", {}, format="json").status_code == 403


def test_warehouses_can_be_made_changed_and_deleted(staff_api):
    made = staff_api.post(
        f"{STAFF}warehouses/", {"name": "North", "slug": "north", "priority": 5}, format="json"
    )
    assert made.status_code == 201, made.json()
    warehouse_id = made.json()["id"]
    duplicate = staff_api.post(f"{STAFF}warehouses/", {"name": "N", "slug": "north"}, format="json")
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "warehouse_slug_taken"

    changed = staff_api.patch(f"{STAFF}warehouses/{warehouse_id}/", {"priority": 1}, format="json")
    assert changed.json()["priority"] == 1
    listed = staff_api.get(f"{STAFF}warehouses/").json()["results"]
    assert [w["slug"] for w in listed] == ["north"]

    assert staff_api.delete(f"{STAFF}warehouses/{warehouse_id}/").status_code == 204
    assert staff_api.get(f"{STAFF}warehouses/{warehouse_id}/").status_code == 404


def test_a_warehouse_holding_stock_cannot_be_deleted(staff_api, catalog):
    response = staff_api.delete(f"{STAFF}warehouses/{catalog.warehouse.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "warehouse_in_use"
    assert Warehouse.objects.filter(pk=catalog.warehouse.pk).exists()


def test_adjustments_change_stock_and_leave_an_audit_row(staff_api, staff, catalog):
    shirt = variant_of(catalog.red_shirt)  # 5 on hand
    body = {
        "variant": shirt.pk,
        "warehouse": catalog.warehouse.pk,
        "delta": 7,
        "reason": "delivery",
    }
    response = staff_api.post(f"{STAFF}stock/adjustments/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["quantity"] == 12

    body = {"variant": shirt.pk, "warehouse": catalog.warehouse.pk, "set_to": 4, "reason": "count"}
    assert staff_api.post(f"{STAFF}stock/adjustments/", body, format="json").json()["quantity"] == 4
    movements = list(StockMovement.objects.order_by("id").values_list("quantity_delta", "reason"))
    assert movements == [(7, "delivery"), (-8, "count")]
    assert set(StockMovement.objects.values_list("actor", flat=True)) == {staff.pk}


def test_stock_never_goes_below_what_orders_were_promised(staff_api, catalog):
    shirt = variant_of(catalog.red_shirt)
    Stock.objects.filter(variant=shirt).update(quantity_allocated=3)
    body = {"variant": shirt.pk, "warehouse": catalog.warehouse.pk, "set_to": 2, "reason": "x"}
    response = staff_api.post(f"{STAFF}stock/adjustments/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "stock_below_allocated"
    negative = {**body, "set_to": None, "delta": -100}
    del negative["set_to"]
    assert staff_api.post(f"{STAFF}stock/adjustments/", negative, format="json").status_code == 400
    assert Stock.objects.get(variant=shirt).quantity == 5
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"variant": 1, "warehouse": 1, "reason": "x"},
        {"variant": 1, "warehouse": 1, "delta": 1, "set_to": 2, "reason": "x"},
        {"variant": 1, "warehouse": 1, "delta": "1", "reason": "x"},
        {"variant": 1, "warehouse": 1, "delta": 1},
    ],
)
def test_malformed_adjustments_are_400(staff_api, catalog, body):
    assert staff_api.post(f"{STAFF}stock/adjustments/", body, format="json").status_code == 400
    assert not StockMovement.objects.exists()


def test_unknown_variant_or_warehouse_is_404(staff_api, catalog):
    shirt = variant_of(catalog.red_shirt)
    for variant, warehouse in ((10**9, catalog.warehouse.pk), (shirt.pk, 10**9)):
        body = {"variant": variant, "warehouse": warehouse, "delta": 1, "reason": "x"}
        assert staff_api.post(f"{STAFF}stock/adjustments/", body, format="json").status_code == 404


def test_stock_levels_report_and_low_stock_filter(staff_api, catalog):
    headphones = variant_of(catalog.headphones)  # 3 on hand
    body = {"variant": headphones.pk, "threshold": 3}
    assert staff_api.put(f"{STAFF}stock/thresholds/", body, format="json").status_code == 204

    rows = staff_api.get(f"{STAFF}stock/?sku={headphones.sku}").json()["results"]
    assert [(r["sku"], r["quantity"], r["available"], r["threshold"]) for r in rows] == [
        (headphones.sku, 3, 3, 3)
    ]
    low = staff_api.get(f"{STAFF}stock/?low=true").json()["results"]
    assert [r["sku"] for r in low] == [headphones.sku]
    assert staff_api.get(f"{STAFF}stock/?low=maybe").status_code == 400
    assert staff_api.get(f"{STAFF}stock/?warehouse=abc").status_code == 400

    body = {"variant": headphones.pk, "threshold": None}
    assert staff_api.put(f"{STAFF}stock/thresholds/", body, format="json").status_code == 204
    assert staff_api.get(f"{STAFF}stock/?low=true").json()["results"] == []


def test_stock_cannot_grow_past_what_its_column_holds(staff_api, catalog):
    variant = catalog.headphones.variants.get()
    body = {"variant": variant.pk, "warehouse": catalog.warehouse.pk, "reason": "count"}
    too_big = staff_api.post(f"{STAFF}stock/adjustments/", {**body, "set_to": 2**31}, format="json")
    assert too_big.status_code == 400
    full = {**body, "set_to": 2**31 - 1}
    assert staff_api.post(f"{STAFF}stock/adjustments/", full, format="json").status_code == 200
    one_more = staff_api.post(f"{STAFF}stock/adjustments/", {**body, "delta": 1}, format="json")
    assert one_more.status_code == 400
    assert one_more.json()["code"] == "stock_too_large"
