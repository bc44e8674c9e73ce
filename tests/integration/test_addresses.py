"""The address book: owner-scoped CRUD, defaults, paging, bad input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.accounts.models import Address
from tests.factories import AddressFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/me/addresses/"


def detail(address_id: int) -> str:
    return f"{LIST}{address_id}/"


VALID = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}


def test_first_address_becomes_both_defaults(client_for, customer):
    response = client_for(customer).post(LIST, VALID, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["country"] == "GB"
    assert body["is_default_shipping"] is True
    assert body["is_default_billing"] is True


def test_a_new_default_replaces_the_old_one(client_for, customer):
    client = client_for(customer)
    first = client.post(LIST, VALID, format="json").json()
    second = client.post(LIST, {**VALID, "is_default_shipping": True}, format="json").json()
    assert second["is_default_shipping"] is True
    assert second["is_default_billing"] is False
    first_now = client.get(detail(first["id"])).json()
    assert first_now["is_default_shipping"] is False
    assert first_now["is_default_billing"] is True


def test_deleting_the_default_hands_it_to_the_newest_other_address(client_for, customer):
    client = client_for(customer)
    first = client.post(LIST, VALID, format="json").json()
    second = client.post(LIST, VALID, format="json").json()
    assert client.delete(detail(first["id"])).status_code == 204
    heir = client.get(detail(second["id"])).json()
    assert heir["is_default_shipping"] is True
    assert heir["is_default_billing"] is True


def test_update_and_partial_update(client_for, customer):
    client = client_for(customer)
    created = client.post(LIST, VALID, format="json").json()
    patched = client.patch(detail(created["id"]), {"city": "Bath"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["city"] == "Bath"
    assert patched.json()["line1"] == VALID["line1"]

    incomplete = client.put(detail(created["id"]), {"city": "York"}, format="json")
    assert incomplete.status_code == 400
    replaced = client.put(detail(created["id"]), {**VALID, "city": "York"}, format="json")
    assert replaced.status_code == 200
    assert replaced.json()["city"] == "York"


@pytest.mark.parametrize(
    ("payload", "bad_fields"),
    [
        ({**VALID, "country": "XX"}, {"country"}),
        ({**VALID, "country": 49}, {"country"}),
        ({**VALID, "city": ""}, {"city"}),
        ({**VALID, "line1": "x" * 201}, {"line1"}),
        ({**VALID, "is_default_shipping": "perhaps"}, {"is_default_shipping"}),
        ({**VALID, "user": 1}, {"user"}),
        ({k: v for k, v in VALID.items() if k != "last_name"}, {"last_name"}),
    ],
)
def test_bad_address_input_is_400_and_nothing_is_written(client_for, customer, payload, bad_fields):
    response = client_for(customer).post(LIST, payload, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == bad_fields
    assert not Address.objects.exists()


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_another_customers_address_is_not_found(client_for, customer, other_customer, method):
    theirs = AddressFactory.create(user=other_customer, city="Paris")
    response = getattr(client_for(customer), method)(detail(theirs.pk), VALID, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "address_not_found"
    theirs.refresh_from_db()
    assert theirs.city == "Paris"


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_staff_do_not_reach_customers_addresses_through_me(client_for, staff, customer, method):
    theirs = AddressFactory.create(user=customer)
    response = getattr(client_for(staff), method)(detail(theirs.pk), VALID, format="json")
    assert response.status_code == 404


def test_unknown_address_id_is_404(client_for, customer):
    assert client_for(customer).get(detail(999999)).status_code == 404


def test_non_numeric_address_id_is_404(client_for, customer):
    response = client_for(customer).get(f"{LIST}abc/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", LIST),
        ("post", LIST),
        ("get", detail(1)),
        ("patch", detail(1)),
        ("delete", detail(1)),
    ],
)
def test_addresses_require_sign_in(api, db, method, url):
    assert getattr(api, method)(url, VALID, format="json").status_code == 401


def test_list_shows_only_own_addresses_newest_first(client_for, customer, other_customer):
    mine = AddressFactory.create_batch(3, user=customer)
    AddressFactory.create_batch(2, user=other_customer)
    body = client_for(customer).get(LIST).json()
    assert [a["id"] for a in body["results"]] == [a.pk for a in reversed(mine)]
    assert body["next"] is None


def test_cursor_pages_walk_the_whole_list_once(client_for, customer):
    ids = {a.pk for a in AddressFactory.create_batch(7, user=customer)}
    client = client_for(customer)
    seen: list[int] = []
    url = f"{LIST}?page_size=3"
    while url:
        body = client.get(url).json()
        seen.extend(a["id"] for a in body["results"])
        url = body["next"]
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(ids)


@pytest.mark.parametrize("size", ["0", "101", "-1", "abc", "1e3"])
def test_bad_page_size_is_400(client_for, customer, size):
    response = client_for(customer).get(f"{LIST}?page_size={size}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "page_size"


def test_bad_cursor_is_400(client_for, customer):
    response = client_for(customer).get(f"{LIST}?cursor=not-a-cursor")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_list_query_count_does_not_grow_with_page_size(client_for, customer):
    AddressFactory.create_batch(30, user=customer)
    client = client_for(customer)
    counts = {}
    for size in (1, 10, 30):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{LIST}?page_size={size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    assert counts[1] == counts[10] == counts[30] == 2  # the user, the page
