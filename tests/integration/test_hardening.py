"""Bad input and failure modes found in review, each pinned by a test."""

import base64
import io
import logging
import logging.config

import pytest
from django.test import RequestFactory
from rest_framework_simplejwt.tokens import RefreshToken

from nexus.core.logging import configure_logging
from nexus.core.middleware import request_id_from
from tests.factories import PASSWORD, AddressFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}


def test_the_api_keeps_answering_when_redis_is_down(api, client_for, customer, settings):
    settings.CACHES = DEAD_REDIS
    assert client_for(customer).get("/api/v1/me/").status_code == 200
    token = api.post(
        "/api/v1/auth/token/", {"email": customer.email, "password": PASSWORD}, format="json"
    )
    assert token.status_code == 200
    ready = api.get("/readyz")
    assert (ready.status_code, ready.json()["status"]) == (200, "degraded")


def test_a_cursor_whose_position_does_not_fit_is_400(client_for, customer):
    AddressFactory.create_batch(2, user=customer)
    cursor = base64.b64encode(b"p=abc").decode()
    response = client_for(customer).get(f"/api/v1/me/addresses/?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_refresh_token_of_a_deleted_user_is_401(api):
    user = UserFactory.create()
    token = str(RefreshToken.for_user(user))
    user.delete()
    response = api.post("/api/v1/auth/token/refresh/", {"refresh": token}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_token_of_a_deactivated_user_is_401(api):
    user = UserFactory.create()
    token = str(RefreshToken.for_user(user))
    user.is_active = False
    user.save()
    assert (
        api.post("/api/v1/auth/token/refresh/", {"refresh": token}, format="json").status_code
        == 401
    )


@pytest.mark.parametrize("country", [{}, "", 0, False, {"code": "FR"}, None])
def test_country_must_be_a_code(client_for, customer, country):
    payload = {
        "first_name": "A",
        "last_name": "B",
        "line1": "1 Rd",
        "city": "C",
        "country": country,
    }
    response = client_for(customer).post("/api/v1/me/addresses/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "country"


def test_an_update_through_a_stale_copy_keeps_the_defaults(customer):
    from nexus.accounts import services  # noqa: PLC0415
    from nexus.accounts.models import Address  # noqa: PLC0415

    first = services.address_create(
        user=customer,
        data={"first_name": "A", "last_name": "B", "line1": "1", "city": "C", "country": "DE"},
    )
    second = services.address_create(
        user=customer,
        data={"first_name": "A", "last_name": "B", "line1": "2", "city": "C", "country": "DE"},
    )
    stale_second = Address.objects.get(pk=second.pk)  # loaded before the delete
    services.address_delete(address=first)  # second inherits both defaults
    services.address_update(address=stale_second, changes={"city": "Bonn"})
    second.refresh_from_db()
    assert (second.city, second.is_default_shipping, second.is_default_billing) == (
        "Bonn",
        True,
        True,
    )


def test_put_replaces_optional_fields(client_for, customer):
    client = client_for(customer)
    full = {
        "first_name": "A",
        "last_name": "B",
        "line1": "1",
        "city": "C",
        "country": "DE",
        "company": "ACME",
    }
    created = client.post("/api/v1/me/addresses/", full, format="json").json()
    replaced = client.put(
        f"/api/v1/me/addresses/{created['id']}/",
        {k: v for k, v in full.items() if k != "company"},
        format="json",
    ).json()
    assert replaced["company"] == ""


def test_password_guessing_with_a_stolen_token_is_throttled(client_for, customer, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_account": "3/min"}
    client = client_for(customer)
    statuses = [
        client.post(
            "/api/v1/me/password/",
            {"current_password": f"guess-{n}", "new_password": "a-new-passphrase"},
            format="json",
        ).status_code
        for n in range(4)
    ]
    assert statuses == [400, 400, 400, 429]


def test_registration_ignores_a_stale_authorization_header(api, db):
    response = api.post(
        "/api/v1/auth/register/",
        {"email": "new@example.com", "password": "a-long-passphrase"},
        format="json",
        HTTP_AUTHORIZATION="Bearer garbage",
    )
    assert response.status_code == 201


def test_a_request_id_with_a_trailing_newline_is_replaced():
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="abc\n")
    assert request_id_from(request) != "abc\n"


def test_probes_answer_head_refuse_post_and_ignore_the_host(client):
    head = client.head("/healthz")
    assert head.status_code == 200
    assert head.content == b""
    post = client.post("/healthz")
    assert post.status_code == 405
    assert post["Content-Type"] == "application/problem+json"
    assert client.get("/readyz", HTTP_HOST="10.1.2.3:8000").status_code == 200


def test_a_chunked_body_is_refused_not_dropped(client):
    response = client.post(
        "/api/v1/auth/token/",
        data=b"",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 411
    assert response.json()["code"] == "length_required"


def test_admin_login_is_throttled(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_account": "2/min"}
    staff = StaffFactory.create()
    statuses = [
        client.post("/admin/login/", {"username": staff.email, "password": "wrong"}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    right = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert right.status_code == 429  # still throttled, even with the right password


def test_logged_tracebacks_carry_no_local_variables(settings):
    stream = io.StringIO()
    config = configure_logging("json", "INFO")
    config["handlers"]["stderr"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        import structlog  # noqa: PLC0415

        def sign_in(password: str) -> None:
            raise RuntimeError("boom")

        try:
            sign_in("hunter2-secret")
        except RuntimeError:
            structlog.get_logger("t").exception("failed")
    finally:
        logging.config.dictConfig(configure_logging(settings.LOG_FORMAT, settings.LOG_LEVEL))
    output = stream.getvalue()
    assert "boom" in output
    assert "hunter2-secret" not in output
