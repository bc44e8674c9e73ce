"""Stock for staff over GraphQL: the same permissions, filters, input rules, audit
trail and services as REST's staff inventory."""

import pytest

from nexus.inventory.models import LowStockThreshold, Stock, StockMovement, Warehouse
from tests.graphql.client import data, error_codes, gql
from tests.graphql.staff_access import (
    ROLES,
    assert_access,
    assert_no_masked_errors,
    place,
    query_counts,
)

pytestmark = pytest.mark.django_db

ERRORS = "errors { code message field }"
WAREHOUSES = """query($first: Int, $after: String) {
  staffWarehouses(first: $first, after: $after) {
    edges { node { id name slug priority } } pageInfo { hasNextPage endCursor } } }"""
WAREHOUSE = "query($id: Int!) { staffWarehouse(id: $id) { id slug priority } }"
STOCK_LEVELS = """query($filter: StaffStockLevelFilter, $first: Int, $after: String) {
  staffStockLevels(filter: $filter, first: $first, after: $after) {
    edges { node { id variant sku productName warehouse quantity quantityAllocated
                   reserved available threshold } }
    pageInfo { hasNextPage endCursor } } }"""
WAREHOUSE_CREATE = f"""mutation($input: StaffWarehouseCreateInput!) {{
  staffWarehouseCreate(input: $input) {{ warehouse {{ id name slug priority }} {ERRORS} }} }}"""
WAREHOUSE_UPDATE = f"""mutation($id: Int!, $input: StaffWarehouseUpdateInput!) {{
  staffWarehouseUpdate(id: $id, input: $input) {{
    warehouse {{ id name slug priority }} {ERRORS} }} }}"""
WAREHOUSE_DELETE = f"""mutation($id: Int!) {{
  staffWarehouseDelete(id: $id) {{ deletedId {ERRORS} }} }}"""
STOCK_ADJUST = f"""mutation($input: StaffStockAdjustInput!) {{
  staffStockAdjust(input: $input) {{
    stockLevel {{ id variant sku warehouse quantity quantityAllocated available threshold }}
    {ERRORS} }} }}"""
THRESHOLD_SET = f"""mutation($variant: Int!, $threshold: Int!) {{
  staffLowStockThresholdSet(variant: $variant, threshold: $threshold) {{
    lowStockThreshold {{ variant threshold }} {ERRORS} }} }}"""
THRESHOLD_CLEAR = f"""mutation($variant: Int!) {{
  staffLowStockThresholdClear(variant: $variant) {{
    lowStockThreshold {{ variant threshold }} {ERRORS} }} }}"""


def _shirt(catalog):
    return catalog.red_shirt.variants.order_by("sku")[0]  # 5 on hand in "main"


def _empty_warehouse():
    return Warehouse.objects.create(name="Spare", slug="spare", priority=5)


# (field, document, variables from the catalog, the permission REST requires)
OPERATIONS = [
    ("staffWarehouses", WAREHOUSES, lambda c: {}, "inventory.view_warehouse"),
    ("staffWarehouse", WAREHOUSE, lambda c: {"id": c.warehouse.pk}, "inventory.view_warehouse"),
    ("staffStockLevels", STOCK_LEVELS, lambda c: {}, "inventory.view_stock"),
    (
        "staffWarehouseCreate",
        WAREHOUSE_CREATE,
        lambda c: {"input": {"name": "North", "slug": "north"}},
        "inventory.add_warehouse",
    ),
    (
        "staffWarehouseUpdate",
        WAREHOUSE_UPDATE,
        lambda c: {"id": c.warehouse.pk, "input": {"priority": 1}},
        "inventory.change_warehouse",
    ),
    (
        "staffWarehouseDelete",
        WAREHOUSE_DELETE,
        lambda c: {"id": _empty_warehouse().pk},
        "inventory.delete_warehouse",
    ),
    (
        "staffStockAdjust",
        STOCK_ADJUST,
        lambda c: {
            "input": {
                "variant": _shirt(c).pk,
                "warehouse": c.warehouse.pk,
                "delta": 2,
                "reason": "Recount",
            }
        },
        "inventory.change_stock",
    ),
    (
        "staffLowStockThresholdSet",
        THRESHOLD_SET,
        lambda c: {"variant": _shirt(c).pk, "threshold": 3},
        "inventory.change_lowstockthreshold",
    ),
    (
        "staffLowStockThresholdClear",
        THRESHOLD_CLEAR,
        lambda c: {"variant": _shirt(c).pk},
        "inventory.change_lowstockthreshold",
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("field", "document", "variables", "permission"),
    OPERATIONS,
    ids=[operation[0] for operation in OPERATIONS],
)
def test_permission_table(catalog, staff, customer, role, field, document, variables, permission):
    result = assert_access(
        role, permission, document, variables(catalog), staff=staff, customer=customer
    )
    if role == "staff":
        assert result[field] is not None
        if isinstance(result[field], dict) and "errors" in result[field]:
            assert result[field]["errors"] == [], result


def _user_errors(document, variables, staff, field):
    body = gql(document, variables, user=staff)
    assert_no_masked_errors(body)
    assert "errors" not in body, body
    payload = body["data"][field]
    return [(e["code"], e["field"]) for e in payload["errors"]], payload


# --- warehouses -------------------------------------------------------------------------


def test_warehouses_are_listed_by_priority_created_changed_and_deleted(staff, catalog):
    created = data(
        WAREHOUSE_CREATE, {"input": {"name": "North", "slug": "north", "priority": 1}}, user=staff
    )["staffWarehouseCreate"]
    assert created["errors"] == []
    north = created["warehouse"]
    assert (north["slug"], north["priority"]) == ("north", 1)
    listed = data(WAREHOUSES, {}, user=staff)["staffWarehouses"]["edges"]
    assert [w["node"]["slug"] for w in listed] == ["north", "main"]

    changed = data(WAREHOUSE_UPDATE, {"id": north["id"], "input": {"priority": 500}}, user=staff)[
        "staffWarehouseUpdate"
    ]["warehouse"]
    assert (changed["name"], changed["priority"]) == ("North", 500)
    listed = data(WAREHOUSES, {}, user=staff)["staffWarehouses"]["edges"]
    assert [w["node"]["slug"] for w in listed] == ["main", "north"]

    assert data(WAREHOUSE, {"id": north["id"]}, user=staff)["staffWarehouse"]["slug"] == "north"
    deleted = data(WAREHOUSE_DELETE, {"id": north["id"]}, user=staff)["staffWarehouseDelete"]
    assert deleted == {"deletedId": north["id"], "errors": []}
    assert data(WAREHOUSE, {"id": north["id"]}, user=staff) == {"staffWarehouse": None}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"name": "X", "slug": "main"}, [("warehouse_slug_taken", "slug")]),
        ({"name": "X", "slug": "not a slug"}, [("invalid", "slug")]),
        ({"name": "", "slug": "x"}, [("blank", "name")]),
        ({"name": "X", "slug": "x", "priority": -1}, [("min_value", "priority")]),
        ({"name": "X", "slug": "x", "priority": None}, [("null", "priority")]),
    ],
)
def test_bad_warehouse_input_is_a_user_error(staff, catalog, given, expected):
    errors, payload = _user_errors(
        WAREHOUSE_CREATE, {"input": given}, staff, "staffWarehouseCreate"
    )
    assert errors == expected
    assert payload["warehouse"] is None
    assert Warehouse.objects.count() == 1


def test_a_warehouse_holding_stock_cannot_be_deleted(staff, catalog):
    errors, _ = _user_errors(
        WAREHOUSE_DELETE, {"id": catalog.warehouse.pk}, staff, "staffWarehouseDelete"
    )
    assert errors == [("warehouse_in_use", None)]


# --- stock levels -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("graphql_filter", "rest_query"),
    [
        ({}, ""),
        ({"sku": "red-linen-shirt-0"}, "sku=red-linen-shirt-0"),
        ("warehouse", "warehouse={warehouse}"),
        ({"low": True}, "low=true"),
        ({"low": False}, "low=false"),
    ],
)
def test_stock_levels_filter_as_rest(client_for, staff, catalog, graphql_filter, rest_query):
    LowStockThreshold.objects.create(variant=_shirt(catalog), threshold=5)
    other = Warehouse.objects.create(name="Other", slug="other")
    Stock.objects.create(variant=catalog.speaker.variants.get(), warehouse=other, quantity=2)
    if graphql_filter == "warehouse":
        graphql_filter = {"warehouse": other.pk}
    rest = (
        client_for(staff)
        .get("/api/v1/staff/stock/?" + rest_query.format(warehouse=other.pk))
        .json()["results"]
    )
    rows = [
        edge["node"]
        for edge in data(STOCK_LEVELS, {"filter": graphql_filter}, user=staff)["staffStockLevels"][
            "edges"
        ]
    ]
    assert [
        (r["id"], r["sku"], r["productName"], r["warehouse"], r["available"], r["threshold"])
        for r in rows
    ] == [
        (r["id"], r["sku"], r["product_name"], r["warehouse"], r["available"], r["threshold"])
        for r in rest
    ]
    assert rows


def test_stock_levels_show_reservations_and_allocations(staff, catalog):
    shirt = _shirt(catalog)
    place(shirt, 2)
    row = data(STOCK_LEVELS, {"filter": {"sku": shirt.sku}}, user=staff)["staffStockLevels"]
    node = row["edges"][0]["node"]
    assert (node["quantity"], node["quantityAllocated"], node["available"]) == (5, 2, 3)
    assert node["reserved"] == 0


def test_a_bad_stock_filter_is_an_invalid_request(staff, catalog):
    body = gql(STOCK_LEVELS, {"filter": {"sku": "x" * 65}}, user=staff)
    assert error_codes(body) == ["invalid"], body
    assert list(body["errors"][0]["extensions"]["fields"]) == ["sku"]


# --- adjustments and thresholds ---------------------------------------------------------


def test_an_adjustment_changes_stock_and_is_audited(staff, catalog):
    shirt = _shirt(catalog)
    variables = {"variant": shirt.pk, "warehouse": catalog.warehouse.pk, "reason": "Recount"}
    added = data(STOCK_ADJUST, {"input": {**variables, "delta": -2}}, user=staff)
    level = added["staffStockAdjust"]["stockLevel"]
    assert (level["quantity"], level["available"], level["warehouse"]) == (3, 3, "main")
    set_to = data(STOCK_ADJUST, {"input": {**variables, "setTo": 10}}, user=staff)
    assert set_to["staffStockAdjust"]["stockLevel"]["quantity"] == 10
    movements = StockMovement.objects.filter(stock__variant=shirt).order_by("id")
    assert [(m.quantity_delta, m.quantity_after, m.reason, m.actor_id) for m in movements] == [
        (-2, 3, "Recount", staff.pk),
        (7, 10, "Recount", staff.pk),
    ]


def test_an_adjustment_in_a_new_warehouse_starts_its_stock_row(staff, catalog):
    spare = _empty_warehouse()
    level = data(
        STOCK_ADJUST,
        {
            "input": {
                "variant": _shirt(catalog).pk,
                "warehouse": spare.pk,
                "delta": 4,
                "reason": "Delivery",
            }
        },
        user=staff,
    )["staffStockAdjust"]["stockLevel"]
    assert (level["warehouse"], level["quantity"]) == ("spare", 4)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"delta": 1, "setTo": 1}, [("choose_one", "delta")]),
        ({}, [("choose_one", "delta")]),
        ({"setTo": -1}, [("min_value", "setTo")]),
        ({"delta": -6}, [("stock_negative", "quantity")]),
        ({"delta": 1, "reason": ""}, [("blank", "reason")]),
        ({"delta": 1, "variant": 999_999}, [("variant_not_found", "variant")]),
        ({"delta": 1, "variant": 0}, [("min_value", "variant")]),
        ({"delta": 1, "warehouse": 999_999}, [("warehouse_not_found", None)]),
    ],
)
def test_bad_adjustments_are_user_errors_and_change_nothing(staff, catalog, given, expected):
    shirt = _shirt(catalog)
    variables = {"variant": shirt.pk, "warehouse": catalog.warehouse.pk, "reason": "Recount"}
    errors, payload = _user_errors(
        STOCK_ADJUST, {"input": {**variables, **given}}, staff, "staffStockAdjust"
    )
    assert errors == expected
    assert payload["stockLevel"] is None
    assert Stock.objects.get(variant=shirt).quantity == 5
    assert not StockMovement.objects.exists()


def test_stock_promised_to_orders_cannot_be_adjusted_away(staff, catalog):
    shirt = _shirt(catalog)
    place(shirt, 2)
    errors, _ = _user_errors(
        STOCK_ADJUST,
        {
            "input": {
                "variant": shirt.pk,
                "warehouse": catalog.warehouse.pk,
                "setTo": 1,
                "reason": "Loss",
            }
        },
        staff,
        "staffStockAdjust",
    )
    assert errors == [("stock_below_allocated", "quantity")]


def test_thresholds_are_set_cleared_and_mark_low_stock(staff, catalog):
    shirt = _shirt(catalog)
    result = data(THRESHOLD_SET, {"variant": shirt.pk, "threshold": 5}, user=staff)
    assert result["staffLowStockThresholdSet"] == {
        "lowStockThreshold": {"variant": shirt.pk, "threshold": 5},
        "errors": [],
    }
    low = data(STOCK_LEVELS, {"filter": {"low": True}}, user=staff)["staffStockLevels"]["edges"]
    assert [(r["node"]["sku"], r["node"]["threshold"]) for r in low] == [(shirt.sku, 5)]
    cleared = data(THRESHOLD_CLEAR, {"variant": shirt.pk}, user=staff)
    assert cleared["staffLowStockThresholdClear"]["lowStockThreshold"] == {
        "variant": shirt.pk,
        "threshold": None,
    }
    assert not LowStockThreshold.objects.exists()
    assert data(STOCK_LEVELS, {"filter": {"low": True}}, user=staff)["staffStockLevels"] == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


@pytest.mark.parametrize(
    ("document", "variables", "field", "expected"),
    [
        (
            THRESHOLD_SET,
            {"variant": 999_999, "threshold": 1},
            "staffLowStockThresholdSet",
            [("variant_not_found", None)],
        ),
        (
            THRESHOLD_SET,
            {"variant": "shirt", "threshold": -1},
            "staffLowStockThresholdSet",
            [("min_value", "threshold")],
        ),
        (
            THRESHOLD_CLEAR,
            {"variant": 999_999},
            "staffLowStockThresholdClear",
            [("variant_not_found", None)],
        ),
        (
            WAREHOUSE_UPDATE,
            {"id": 999_999, "input": {"priority": 1}},
            "staffWarehouseUpdate",
            [("warehouse_not_found", None)],
        ),
        (
            WAREHOUSE_DELETE,
            {"id": 999_999},
            "staffWarehouseDelete",
            [("warehouse_not_found", None)],
        ),
    ],
)
def test_bad_ids_and_values_are_user_errors(staff, catalog, document, variables, field, expected):
    if variables.get("variant") == "shirt":
        variables = {**variables, "variant": _shirt(catalog).pk}
    errors, payload = _user_errors(document, variables, staff, field)
    assert errors == expected
    assert all(value is None for key, value in payload.items() if key != "errors")


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (WAREHOUSE, {"id": "main"}),
        (WAREHOUSE_CREATE, {"input": {"name": "X", "slug": "x", "priority": "1"}}),
        (STOCK_ADJUST, {"input": {"variant": 1, "warehouse": 1, "delta": 1.5, "reason": "x"}}),
        (STOCK_ADJUST, {"input": {"variant": 1, "warehouse": 1, "delta": 1}}),
        (STOCK_LEVELS, {"filter": {"low": "yes"}}),
        (STOCK_LEVELS, {"filter": {"warehouse": "main"}}),
        (THRESHOLD_SET, {"variant": 1, "threshold": None}),
    ],
)
def test_wrong_types_are_graphql_validation_errors(staff, catalog, document, variables):
    body = gql(document, variables, user=staff)
    assert body["errors"], body
    assert_no_masked_errors(body)
    assert body.get("data") is None


# --- query counts -----------------------------------------------------------------------


def test_lists_cost_the_same_queries_at_any_page_size(staff, catalog):
    for index in range(10):
        Warehouse.objects.create(name=f"W{index}", slug=f"w-{index}", priority=index)
    variant = catalog.speaker.variants.get()
    for warehouse in Warehouse.objects.exclude(pk=catalog.warehouse.pk):
        Stock.objects.create(variant=variant, warehouse=warehouse, quantity=1)
    LowStockThreshold.objects.create(variant=variant, threshold=50)
    for document, field, variables in (
        (WAREHOUSES, "staffWarehouses", lambda size: {"first": size}),
        (STOCK_LEVELS, "staffStockLevels", lambda size: {"first": size}),
        (STOCK_LEVELS, "staffStockLevels", lambda size: {"first": size, "filter": {"low": True}}),
    ):
        counts = query_counts(document, variables, (2, 10), user=staff, field=field)
        assert len(counts) == 1, (field, counts)
