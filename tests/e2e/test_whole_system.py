"""The whole shop as it runs in production: web server, Celery worker and outbox relay
as separate processes on PostgreSQL and RabbitMQ, email to a local SMTP server and
webhooks to a local HTTP receiver. The web server and the relay reach RabbitMQ through
a proxy that a test can cut."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from nexus.core.models import OutboxEvent
from nexus.orders.models import Order
from nexus.webhooks import services as webhooks
from tests import system
from tests.catalog_data import build_catalog
from tests.system import Inbox
from tests.webhook_receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ADDRESS = {"first_name": "E", "last_name": "Two", "line1": "1", "city": "Oslo", "country": "NO"}
TEST_CARD = "4242424242424242"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with system.smtp_inbox() as handler:
        yield handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def proxy() -> Iterator[system.TcpProxy]:
    proxy = system.TcpProxy()
    proxy.restore()
    yield proxy
    proxy.cut()


@dataclass(frozen=True)
class Shop:
    url: str  # the web server's base URL
    worker_metrics: str  # the worker's metrics port
    relay_metrics: str  # the relay's


@pytest.fixture
def shop(inbox: Inbox, proxy: system.TcpProxy, tmp_path: Path) -> Iterator[Shop]:
    """Web (two processes), worker and relay running, each role counting its metrics
    in a directory of its own as the image's entrypoint sets them up."""
    with system.rabbitmq_vhost() as vhost:
        direct = system.service_env(
            CELERY_BROKER_URL=system.broker_url(vhost),
            TEST_EMAIL_URL=f"smtp://127.0.0.1:{inbox.port}",
        )
        proxied = {**direct, "CELERY_BROKER_URL": system.broker_url(vhost, proxy.port)}
        port, worker_metrics_port = system.free_port(), system.free_port()
        relay_metrics_port = system.free_port()
        for role in ("web", "worker"):
            (tmp_path / f"metrics-{role}").mkdir()
        worker_env = {
            **direct,
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics-worker"),
            "NEXUS_WORKER_METRICS_PORT": str(worker_metrics_port),
        }
        web_env = {**proxied, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics-web")}
        processes = [
            system.worker(worker_env, tmp_path),
            system.relay(
                {**proxied, "NEXUS_RELAY_METRICS_PORT": str(relay_metrics_port)}, tmp_path
            ),
            system.web_server(web_env, tmp_path, port, workers=2),
        ]
        shop = Shop(
            f"http://127.0.0.1:{port}",
            f"http://127.0.0.1:{worker_metrics_port}",
            f"http://127.0.0.1:{relay_metrics_port}",
        )
        try:
            for process in processes:
                process.start()
            system.wait_for(lambda: _ready(shop.url), what="the web server")
            yield shop
        finally:
            for process in processes:
                process.stop()


def _ready(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _buy(http: httpx.Client, variant_id: int) -> str:
    token = http.post("/api/v1/carts/").json()["token"]
    added = http.post(f"/api/v1/carts/{token}/lines/", json={"variant": variant_id, "quantity": 1})
    assert added.status_code == 201, added.text
    placed = http.post(
        "/api/v1/checkout/",
        json={"cart": token, "email": "buyer@example.com", "shipping_address": ADDRESS},
    )
    assert placed.status_code == 201, placed.text
    number = placed.json()["number"]
    paid = http.post(
        f"/api/v1/orders/{number}/payments/", json={"payment_method": TEST_CARD, "cart": token}
    )
    assert paid.status_code == 201, paid.text
    return str(number)


def _subscribe(receiver: Receiver, settings) -> None:
    settings.OUTGOING_WEBHOOK_ALLOW_PRIVATE_URLS = True
    endpoint = webhooks.endpoint_create(
        url=f"{receiver.base_url}/shop", event_types=["order.placed", "order.paid"]
    )
    receiver.at("/shop", secret=endpoint.secret)


def _webhooks_for(receiver: Receiver, number: str) -> dict[str, bool | None]:
    """Event type → signature valid, for the order's webhooks received so far."""
    found = {}
    for request in receiver.on("/shop"):
        body = json.loads(request.body)
        if body["data"]["order"] == number:
            found[body["type"]] = request.signature_valid
    return found


def _scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _total(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    wanted = set(labels.items())
    return sum(
        value for (sample, found), value in samples.items() if sample == name and wanted <= found
    )


def _subjects(inbox: Inbox) -> set[str]:
    return {str(message["Subject"]) for message in inbox.messages}


def test_a_purchase_over_http_sends_its_emails_and_signed_webhooks(
    shop: Shop, inbox: Inbox, receiver: Receiver, settings
) -> None:
    variant = build_catalog().headphones.variants.get()
    _subscribe(receiver, settings)
    with httpx.Client(base_url=shop.url, timeout=30) as http:
        number = _buy(http, variant.pk)

    # Paid by the worker applying the sandbox's event from the payments queue.
    system.wait_for(
        lambda: Order.objects.get(number=number).status == "paid", what="the order to be paid"
    )
    system.wait_for(lambda: len(inbox.messages) >= 2, what="the emails")
    assert f"Your order {number}" in _subjects(inbox)
    system.wait_for(lambda: len(_webhooks_for(receiver, number)) == 2, what="the webhooks")
    assert _webhooks_for(receiver, number) == {"order.placed": True, "order.paid": True}

    # Counted in whichever of the two web processes answered, and added up by /metrics.
    web = _scrape(shop.url)
    assert _total(web, "django_http_responses_total_by_status_view_method_total", status="201") == 4
    assert _total(web, "nexus_orders_placed_total") == 1
    # The worker's pool children counted the tasks they ran, by queue.
    worker = _scrape(shop.worker_metrics)
    runs = "nexus_task_runs_total"
    assert _total(worker, runs, queue="payments", outcome="success") >= 1
    assert _total(worker, runs, queue="email", outcome="success") >= 1
    assert _total(worker, "nexus_payment_events_total", outcome="succeeded") == 1
    # The relay published order.placed and order.paid at least (one process, in memory).
    relay = _scrape(shop.relay_metrics)
    assert _total(relay, "nexus_outbox_published_total") >= 2
    assert _total(relay, "nexus_outbox_publish_failures_total") == 0


def test_with_rabbitmq_unreachable_requests_succeed_and_events_wait_then_drain(
    shop: Shop, inbox: Inbox, receiver: Receiver, proxy: system.TcpProxy, settings
) -> None:
    variant = build_catalog().headphones.variants.get()
    _subscribe(receiver, settings)
    proxy.cut()
    with httpx.Client(base_url=shop.url, timeout=30) as http:
        placed = http.post("/api/v1/carts/").json()["token"]
        http.post(f"/api/v1/carts/{placed}/lines/", json={"variant": variant.pk, "quantity": 1})
        response = http.post(
            "/api/v1/checkout/",
            json={"cart": placed, "email": "buyer@example.com", "shipping_address": ADDRESS},
        )
        assert response.status_code == 201, response.text
        number = response.json()["number"]
        ready = http.get("/readyz")  # still serving, and saying what is missing
        assert (ready.status_code, ready.json()["status"]) == (200, "degraded")
        assert ready.json()["checks"]["broker"]["ok"] is False

    # The relay tries, fails and keeps the event, with the reason.
    system.wait_for(
        lambda: OutboxEvent.objects.filter(
            topic="order.placed", sent_at__isnull=True, attempts__gte=1
        ).exists(),
        what="a failed publication attempt",
    )
    assert OutboxEvent.objects.get(topic="order.placed").last_error
    assert inbox.messages == []
    assert _total(_scrape(shop.relay_metrics), "nexus_outbox_publish_failures_total") >= 1

    proxy.restore()
    system.wait_for(lambda: f"Your order {number}" in _subjects(inbox), what="the email")
    system.wait_for(lambda: "order.placed" in _webhooks_for(receiver, number), what="the webhook")
    assert _webhooks_for(receiver, number) == {"order.placed": True}
    assert not OutboxEvent.objects.filter(sent_at__isnull=True).exists()
    assert _total(_scrape(shop.relay_metrics), "nexus_outbox_published_total") >= 1
