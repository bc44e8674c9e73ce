"""/metrics: what Prometheus scrapes to watch requests, the shop and the background work."""

from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from nexus.core import outbox
from nexus.core.models import OutboxEvent
from nexus.core.tasks import relay_outbox
from nexus.inventory.models import LowStockThreshold, Stock
from nexus.payments.gateways.sandbox import CARD_DECLINED, CARD_SUCCEEDS
from nexus.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
ADDRESS = {"first_name": "Ada", "last_name": "L", "line1": "1 Way", "city": "London",
           "postal_code": "SW1", "country": "GB"}  # fmt: skip


def _scrape(client) -> Samples:
    response = client.get("/metrics", HTTP_HOST="10.0.0.7")  # by pod IP, no allowed host
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_an_idle_shop_reports_no_lag(client):
    samples = _scrape(client)
    assert samples[("nexus_outbox_lag_seconds", ())] == 0
    assert samples[("nexus_outbox_unsent_events", ())] == 0
    assert samples[("nexus_webhook_deliveries", (("status", "failed"),))] == 0


def test_waiting_events_and_failing_deliveries_show(client):
    OutboxEvent.objects.create(topic="order.placed", payload={}, sent_at=timezone.now())
    waiting = OutboxEvent.objects.create(topic="order.paid", payload={})
    OutboxEvent.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    endpoint = WebhookEndpoint.objects.create(url="https://example.com/h", secret="whsec_AA==")
    for event_id, status in enumerate(["pending", "failed", "failed", "succeeded"]):
        WebhookDelivery.objects.create(
            endpoint=endpoint, event_id=event_id, event_type="order.paid", body="{}", status=status
        )

    samples = _scrape(client)
    assert 300 <= samples[("nexus_outbox_lag_seconds", ())] < 360
    assert samples[("nexus_outbox_unsent_events", ())] == 1
    assert samples[("nexus_webhook_deliveries", (("status", "pending"),))] == 1
    assert samples[("nexus_webhook_deliveries", (("status", "failed"),))] == 2


def test_an_idle_shop_says_its_database_is_up(client):
    assert _scrape(client)[("nexus_database_up", ())] == 1


@pytest.mark.django_db(transaction=True)  # no test transaction on the connection cut below
def test_without_the_database_the_counters_are_still_served(client):
    """An outage is when the counters matter most: /metrics answers without the
    shop's gauges, and says the database could not be read."""
    assert client.get("/api/v1/products/").status_code == 200  # a request to count
    database = connections["default"]
    port = database.settings_dict["PORT"]
    database.close()
    database.settings_dict["PORT"] = "1"  # nothing listens there: connecting is refused
    try:
        samples = _scrape(client)
    finally:
        database.close()
        database.settings_dict["PORT"] = port

    assert samples[("nexus_database_up", ())] == 0
    gauges = {"nexus_outbox_lag_seconds", "nexus_webhook_deliveries", "nexus_low_stock_variants"}
    assert not gauges & {name for name, _ in samples}
    served = {name for name, _ in samples}
    assert "django_http_requests_total_by_method_total" in served
    errors = (
        "django_db_new_connection_errors_total",
        (("alias", "default"), ("vendor", "postgresql")),
    )
    assert samples[errors] >= 1


def test_metrics_answer_get_only(client):
    assert client.post("/metrics").status_code == 405


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _changed(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return _value(after, name, **labels) - _value(before, name, **labels)


def test_requests_are_counted_by_view_status_and_method(client, api, catalog):
    before = _scrape(client)
    for _ in range(3):
        assert api.get("/api/v1/products/").status_code == 200
    assert api.get("/api/v1/products/no-such-product/").status_code == 404
    after = _scrape(client)

    responses = "django_http_responses_total_by_status_view_method_total"
    view = "product-list"
    assert _changed(before, after, responses, status="200", view=view, method="GET") == 3
    detail = "product-detail"
    assert _changed(before, after, responses, status="404", view=detail, method="GET") == 1
    latency = "django_http_requests_latency_seconds_by_view_method_count"
    assert _changed(before, after, latency, view=view, method="GET") == 3
    # The queries those requests ran, and their cache reads, were timed.
    queries = "django_db_query_duration_seconds_count"
    assert _changed(before, after, queries, alias="default", vendor="postgresql") >= 3
    assert _changed(before, after, "nexus_cache_operation_seconds_count", operation="get") >= 1


def test_an_unknown_method_does_not_make_a_new_series(client, api):
    api.generic("BREW", "/api/v1/products/")
    names = {labels for (name, labels) in _scrape(client) if name.startswith("django_http")}
    assert not any(("method", "BREW") in labels for labels in names)


def test_orders_checkout_refusals_and_payment_outcomes_are_counted(
    client, api, catalog, django_capture_on_commit_callbacks
):
    variant = catalog.red_shirt.variants.order_by("sku")[0]
    before = _scrape(client)

    empty = api.post("/api/v1/carts/").json()["token"]
    body = {"cart": empty, "email": "g@example.com", "shipping_address": ADDRESS}
    assert api.post("/api/v1/checkout/", body, format="json").status_code == 400
    numbers = []
    for card in (CARD_SUCCEEDS, CARD_DECLINED):
        token = api.post("/api/v1/carts/").json()["token"]
        line = {"variant": variant.pk, "quantity": 1}
        api.post(f"/api/v1/carts/{token}/lines/", line, format="json")
        with django_capture_on_commit_callbacks(execute=True):
            placed = api.post("/api/v1/checkout/", {**body, "cart": token}, format="json")
        assert placed.status_code == 201, placed.json()
        numbers.append(placed.json()["number"])
        with django_capture_on_commit_callbacks(execute=True):
            api.post(
                f"/api/v1/orders/{numbers[-1]}/payments/",
                {"payment_method": card, "cart": token},
                format="json",
            )
    after = _scrape(client)

    assert _changed(before, after, "nexus_orders_placed_total") == 2
    assert _changed(before, after, "nexus_checkout_failures_total", code="cart_empty") == 1
    assert _changed(before, after, "nexus_payment_events_total", outcome="succeeded") == 1
    assert _changed(before, after, "nexus_payment_events_total", outcome="failed") == 1


def test_task_runs_are_counted_by_queue_and_outcome(client):
    before = _scrape(client)
    relay_outbox.apply()
    after = _scrape(client)

    task = relay_outbox.name
    labels = {"queue": "inline", "task": task, "outcome": "success"}
    assert _changed(before, after, "nexus_task_runs_total", **labels) == 1
    assert _changed(before, after, "nexus_task_duration_seconds_count", queue="inline") == 1


def test_published_outbox_events_are_counted(client):
    """Counted where they are published: the relay process, or a worker running
    beat's relay task (here in-process)."""
    before = _scrape(client)
    for n in range(3):
        outbox.emit("test.metrics", {"n": n})
    assert outbox.relay() == 3
    after = _scrape(client)
    assert _changed(before, after, "nexus_outbox_published_total") == 3
    assert _changed(before, after, "nexus_outbox_publish_failures_total") == 0


def test_low_stock_variants_are_counted(client, catalog):
    shirt, headphones = (
        p.variants.order_by("sku")[0] for p in (catalog.red_shirt, catalog.headphones)
    )
    on_hand = {v.pk: sum(Stock.objects.filter(variant=v).values_list("quantity", flat=True))
               for v in (shirt, headphones)}  # fmt: skip
    LowStockThreshold.objects.create(variant=shirt, threshold=on_hand[shirt.pk])  # at: low
    LowStockThreshold.objects.create(variant=headphones, threshold=on_hand[headphones.pk] - 1)

    assert _value(_scrape(client), "nexus_low_stock_variants") == 1
