"""API conventions every endpoint shares: problem+json, request ids, docs, probes."""

import pytest
import yaml
from django.db import connection
from django.urls import reverse

from nexus.accounts import selectors

pytestmark = pytest.mark.django_db


def test_unknown_url_is_a_problem_json_404(api):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body == {
        "type": "urn:nexus-commerce:problem:not_found",
        "title": "Not Found",
        "status": 404,
        "detail": "No such resource.",
        "code": "not_found",
        "instance": "/api/v1/no-such-thing/",
        "request_id": response["X-Request-ID"],
    }


def test_request_id_is_echoed_when_sane(api):
    response = api.get("/healthz", HTTP_X_REQUEST_ID="trace-123.abc")
    assert response["X-Request-ID"] == "trace-123.abc"


@pytest.mark.parametrize("incoming", ["", "x" * 500, "evil\r\nSet-Cookie: a=b", "spaces are bad"])
def test_unsafe_request_id_is_replaced(api, incoming):
    response = api.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def test_unexpected_error_is_a_500_without_internals(client_for, staff, customer, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(selectors, "user_get", broken)
    response = client_for(staff).get(f"/api/v1/staff/customers/{customer.pk}/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "internal_error"
    assert "secret" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert body["request_id"] == response["X-Request-ID"]


def test_healthz_touches_nothing(api):
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_cache_and_broker(api):
    response = api.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_names_the_failed_service(api, settings):
    """Requests need no broker (events wait in the outbox): degraded, still serving."""
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"
    response = api.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    checks = response.json()["checks"]
    assert checks["broker"]["ok"] is False
    assert checks["broker"]["error"]
    assert checks["database"]["ok"] is True
    assert checks["cache"]["ok"] is True


def test_readyz_reports_a_dead_cache(api, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    response = api.get("/readyz")
    assert response.status_code == 200  # answers uncached and unthrottled meanwhile
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"]["ok"] is False


def test_schema_and_docs_are_served(api):
    schema = api.get(reverse("schema"))
    assert schema.status_code == 200
    document = yaml.safe_load(schema.content)
    assert "/api/v1/auth/token/" in document["paths"]
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert api.get("/api/redoc/").status_code == 200


def test_every_operation_documents_a_summary_and_its_errors(api):
    document = yaml.safe_load(api.get(reverse("schema")).content)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            statuses = {int(code) for code in operation["responses"]}
            assert any(code >= 400 for code in statuses), f"{method} {path} lists no errors"
            for code in statuses - {200, 201, 202, 204}:
                content = operation["responses"][str(code)]["content"]
                assert set(content) == {"application/problem+json"}, f"{method} {path} {code}"


def test_admin_login_page_is_served(client):
    assert client.get("/admin/login/").status_code == 200


def test_swagger_assets_are_served_locally(client):
    docs = client.get("/api/docs/").content.decode()
    assert "cdn.jsdelivr" not in docs


@pytest.mark.parametrize(
    "path",
    [
        "/admin/catalog/product/",
        "/admin/catalog/category/",
        "/admin/catalog/attribute/",
        "/admin/inventory/stock/",
        "/admin/accounts/user/",
    ],
)
def test_staff_can_browse_the_admin(client, catalog, path):
    from tests.factories import StaffFactory  # noqa: PLC0415

    client.force_login(StaffFactory.create(is_superuser=True))
    assert client.get(path).status_code == 200
    product = catalog.speaker
    page = client.get(f"/admin/catalog/product/{product.pk}/change/")
    assert page.status_code == 200
    assert b"Pocket speaker" in page.content


def test_database_connections_use_the_configured_random_page_cost(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
