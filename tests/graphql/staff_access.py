"""Who may run a staff operation: the same four roles for every query and mutation."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from nexus.accounts.models import STAFF_GROUP, User
from nexus.catalog.models import ProductVariant
from tests.factories import UserFactory
from tests.graphql.client import data, error_codes, gql

ROLES = ("anonymous", "customer", "staff_lacking", "staff")
DENIED = {
    "anonymous": "not_authenticated",
    "customer": "permission_denied",
    "staff_lacking": "permission_denied",
}


def staff_lacking(permission: str) -> User:
    """Staff holding every permission of the Staff group except ``permission``."""
    app_label, codename = permission.split(".")
    group_permissions = Group.objects.get(name=STAFF_GROUP).permissions
    assert group_permissions.filter(
        content_type__app_label=app_label, codename=codename
    ).exists(), f"the Staff group lacks {permission}"
    user: User = UserFactory.create(is_staff=True)
    user.user_permissions.set(
        group_permissions.exclude(content_type__app_label=app_label, codename=codename)
    )
    return user


def assert_access(
    role: str,
    permission: str,
    document: str,
    variables: dict[str, Any],
    *,
    staff: User,
    customer: User,
) -> dict[str, Any]:
    """Run the operation as ``role``; refused roles get the request error, staff the data."""
    users = {
        "anonymous": None,
        "customer": customer,
        "staff_lacking": staff_lacking(permission),
        "staff": staff,
    }
    body = gql(document, variables, user=users[role])
    if role == "staff":
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]
        return result
    assert error_codes(body) == [DENIED[role]], body
    return {}


def assert_no_masked_errors(body: dict[str, Any]) -> None:
    """Nothing failed unexpectedly (a masked 500 reads "Unexpected error.")."""
    assert "Unexpected error." not in str(body), body


def query_counts(
    document: str,
    variables: Callable[[int], dict[str, Any]],
    sizes: tuple[int, int],
    *,
    user: User,
    field: str,
) -> set[int]:
    """The queries one request costs at each page size (each page full)."""
    counts = set()
    for size in sizes:
        with CaptureQueriesContext(connection) as queries:
            result = data(document, variables(size), user=user)
        assert len(result[field]["edges"]) == size, result
        counts.add(len(queries))
    return counts


ADDRESS = {"first_name": "A", "last_name": "B", "line1": "1 Road", "city": "Oslo", "country": "NO"}


def place(variant: ProductVariant, quantity: int = 1, email: str = "guest@example.com") -> str:
    """A guest's order of the variant, placed through the REST checkout; its number."""
    api = APIClient()
    token = api.post("/api/v1/carts/").json()["token"]
    api.post(
        f"/api/v1/carts/{token}/lines/",
        {"variant": variant.pk, "quantity": quantity},
        format="json",
    )
    response = api.post(
        "/api/v1/checkout/",
        {"cart": token, "email": email, "shipping_address": ADDRESS},
        format="json",
    )
    assert response.status_code == 201, response.json()
    number: str = response.json()["number"]
    return number
