"""The signed-in user's profile and password."""

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
PASSWORD_URL = "/api/v1/me/password/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"


def test_me_shows_only_the_signed_in_user(client_for, customer, other_customer):
    body = client_for(customer).get(ME).json()
    assert body["id"] == customer.pk
    assert body["email"] == customer.email
    assert set(body) == {"id", "email", "first_name", "last_name", "is_staff", "date_joined"}


def test_me_requires_sign_in(api):
    response = api.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_patch_me_changes_the_name(client_for, customer):
    response = client_for(customer).patch(ME, {"first_name": "Ada"}, format="json")
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.first_name == "Ada"


@pytest.mark.parametrize(
    "payload",
    [{"email": "new@example.com"}, {"is_staff": True}, {"first_name": "x" * 151}, {"last_name": 7}],
)
def test_patch_me_rejects_what_it_may_not_change(client_for, customer, payload):
    before = (customer.email, customer.is_staff, customer.first_name, customer.last_name)
    response = client_for(customer).patch(ME, payload, format="json")
    assert response.status_code == 400
    customer.refresh_from_db()
    assert (customer.email, customer.is_staff, customer.first_name, customer.last_name) == before


def test_put_on_me_is_not_allowed(client_for, customer):
    response = client_for(customer).put(ME, {"first_name": "A"}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_password_change_signs_out_everywhere(api, client_for, customer):
    old_refresh = str(RefreshToken.for_user(customer))
    response = client_for(customer).post(
        PASSWORD_URL,
        {"current_password": PASSWORD, "new_password": "a-brand-new-passphrase"},
        format="json",
    )
    assert response.status_code == 204
    assert api.post(REFRESH, {"refresh": old_refresh}, format="json").status_code == 401
    old = api.post(TOKEN, {"email": customer.email, "password": PASSWORD}, format="json")
    assert old.status_code == 401
    new = api.post(
        TOKEN, {"email": customer.email, "password": "a-brand-new-passphrase"}, format="json"
    )
    assert new.status_code == 200


def test_password_change_needs_the_current_password(client_for, customer):
    response = client_for(customer).post(
        PASSWORD_URL,
        {"current_password": "not-it-at-all", "new_password": "a-brand-new-passphrase"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "wrong_password"
    assert [e["field"] for e in body["errors"]] == ["current_password"]
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_password_change_rejects_a_weak_password(client_for, customer):
    response = client_for(customer).post(
        PASSWORD_URL, {"current_password": PASSWORD, "new_password": "123"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "weak_password"
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_password_change_requires_sign_in(api):
    response = api.post(PASSWORD_URL, {"current_password": "a", "new_password": "b"}, format="json")
    assert response.status_code == 401
