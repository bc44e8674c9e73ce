"""Staff endpoints: a permission table, filters, bad input."""

import pytest

from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/staff/customers/"


@pytest.fixture
def staff_without_permissions(db):
    return UserFactory.create(is_staff=True)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 401),
        ("customer", 403),
        ("staff_without_permissions", 403),
        ("staff", 200),
    ],
)
@pytest.mark.parametrize("url", [LIST, "detail"])
def test_permission_table(request, api, client_for, customer, who, expected, url):
    target = f"{LIST}{customer.pk}/" if url == "detail" else url
    client = api if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = client.get(target)
    assert response.status_code == expected
    if expected != 200:
        assert response["Content-Type"] == "application/problem+json"


def test_staff_see_any_account(client_for, staff, customer):
    body = client_for(staff).get(f"{LIST}{customer.pk}/").json()
    assert body["email"] == customer.email
    assert body["is_active"] is True


def test_unknown_account_is_404(client_for, staff):
    response = client_for(staff).get(f"{LIST}987654/")
    assert response.status_code == 404
    assert response.json()["code"] == "user_not_found"


def test_filters(client_for, staff):
    # Names the search words cannot match by chance (the factory's are random).
    staff.first_name, staff.last_name = "Sam", "Lee"
    staff.save(update_fields=["first_name", "last_name"])
    UserFactory.create(email="ann@example.com", first_name="Ann", last_name="Roe")
    UserFactory.create(email="bob@example.com", first_name="Bob", last_name="Doe", is_active=False)
    client = client_for(staff)

    def emails(query):
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200, response.json()
        return {u["email"] for u in response.json()["results"]}

    assert emails("search=ANN") == {"ann@example.com"}
    assert emails("search=bob&is_active=false") == {"bob@example.com"}
    assert emails("is_staff=true") == {staff.email}
    assert emails("joined_after=2999-01-01T00:00:00Z") == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("is_active=maybe", "is_active"),
        ("joined_after=yesterday", "joined_after"),
        ("joined_after=9999-12-31T23:59:59-10:00", "joined_after"),
        ("joined_before=0001-01-01T00:00:00%2B10:00", "joined_before"),
    ],
)
def test_bad_filter_values_are_400(client_for, staff, query, field):
    response = client_for(staff).get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_superuser_needs_no_group(client_for):
    root = StaffFactory.create(is_superuser=True)
    root.groups.clear()
    assert client_for(root).get(LIST).status_code == 200
