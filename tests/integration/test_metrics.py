"""/metrics: what Prometheus scrapes to watch the background work."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from nexus.core.models import OutboxEvent
from nexus.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def _scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
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


def test_metrics_answer_get_only(client):
    assert client.post("/metrics").status_code == 405
