"""Outgoing webhooks: subscribed, signed, retried, logged, sent concurrently, guarded,
against a real local HTTP receiver."""

import base64
import hashlib
import hmac
import ipaddress
import itertools
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone

from nexus.core import outbox
from nexus.webhooks import sending, services
from nexus.webhooks.models import WebhookDelivery, WebhookEndpoint
from nexus.webhooks.sending import Outcome
from nexus.webhooks.tasks import send_due_webhooks
from tests.factories import StaffFactory, UserFactory
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db
ENDPOINTS = "/api/v1/staff/webhooks/"


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.OUTGOING_WEBHOOK_ALLOW_PRIVATE_URLS = True  # the receiver is on loopback
    settings.OUTGOING_WEBHOOK_RETRY_BASE_SECONDS = 0  # retries come due at once
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def integrator(client_for):
    """Staff allowed to manage webhooks (the Staff group is not, by default)."""
    user = StaffFactory.create()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="webhooks"))
    return client_for(user)


def _subscribe(receiver: Receiver, path: str, *event_types: str, **behaviour) -> WebhookEndpoint:
    endpoint = services.endpoint_create(
        url=receiver.base_url + path, event_types=event_types or ["order.placed"]
    )
    receiver.at(path, secret=endpoint.secret, **behaviour)
    return endpoint


def _event(topic: str = "order.placed", **payload) -> None:
    """An event through the outbox as the domains write it; consumers run in-process."""
    event = outbox.emit(topic, payload or {"order": "N1", "total": "10.00"})
    outbox.deliver(event.pk, event.topic, event.payload)


def _send() -> None:
    services.deliveries_send_due()


def test_an_event_reaches_a_subscriber_signed_in_the_standard_webhooks_style(receiver):
    endpoint = _subscribe(receiver, "/hook")
    _event(order="N1", total="10.00")
    _send()

    [request] = receiver.on("/hook")
    assert request.signature_valid is True  # checked with the reference library
    # …and by hand: HMAC-SHA256 over "id.timestamp.body" with the decoded secret.
    key = base64.b64decode(endpoint.secret.removeprefix("whsec_"))
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode()
    expected = base64.b64encode(hmac.new(key, signed + request.body, hashlib.sha256).digest())
    assert request.headers["webhook-signature"] == f"v1,{expected.decode()}"
    body = json.loads(request.body)
    assert body["type"] == "order.placed"
    assert body["data"] == {"order": "N1", "total": "10.00"}
    assert request.headers["content-type"] == "application/json"
    delivery = WebhookDelivery.objects.get()
    assert request.headers["webhook-id"] == delivery.message_id
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.delivered_at is not None
    assert delivery.log.count() == 1


def test_placing_an_order_sends_its_webhook(
    receiver, api, catalog, django_capture_on_commit_callbacks
):
    _subscribe(receiver, "/orders", "order.placed")
    variant = catalog.red_shirt.variants.order_by("sku")[0]
    token = api.post("/api/v1/carts/").json()["token"]
    api.post(f"/api/v1/carts/{token}/lines/", {"variant": variant.pk, "quantity": 1}, format="json")
    address = {"first_name": "A", "last_name": "B", "line1": "1", "city": "Oslo", "country": "NO"}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/checkout/",
            {"cart": token, "email": "hook@example.com", "shipping_address": address},
            format="json",
        )
    assert response.status_code == 201
    [request] = receiver.on("/orders")
    assert request.signature_valid is True
    assert json.loads(request.body)["data"]["order"] == response.json()["number"]


def test_only_subscribed_types_and_active_endpoints_get_deliveries(receiver):
    _subscribe(receiver, "/paid", "order.paid")
    inactive = _subscribe(receiver, "/inactive", "order.placed")
    services.endpoint_update(endpoint=inactive, changes={"is_active": False})
    _event("order.placed")
    _event("user.password_reset_requested", user=1)  # never offered to subscribers
    assert not WebhookDelivery.objects.exists()


def test_an_event_handled_twice_is_delivered_once(receiver):
    _subscribe(receiver, "/hook")
    event = outbox.emit("order.placed", {"order": "N1"})
    outbox.deliver(event.pk, event.topic, event.payload)
    outbox.deliver(event.pk, event.topic, event.payload)  # a redelivered message
    services.event_fan_out(event_id=event.pk, event_type=event.topic, payload=event.payload)
    _send()
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.on("/hook")) == 1


def test_a_failed_attempt_is_retried_with_the_same_id_and_body(receiver):
    _subscribe(receiver, "/flaky", statuses=[500, 200])
    _event()
    _send()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.last_error == "The receiver answered 500."
    assert delivery.next_attempt_at is not None

    send_due_webhooks()  # the periodic sender picks up the due retry

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    first, second = receiver.on("/flaky")
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert [a.status_code for a in delivery.log.order_by("pk")] == [500, 200]


def test_retries_wait_longer_each_time(settings):
    settings.OUTGOING_WEBHOOK_RETRY_BASE_SECONDS = 30
    waits = [services._backoff(n).total_seconds() for n in range(1, 9)]
    assert 24 <= waits[0] <= 36
    assert 96 <= waits[1] <= 144
    assert all(later > earlier for earlier, later in itertools.pairwise(waits[:5]))
    assert max(waits) <= 6 * 3600 * 1.2


def test_it_gives_up_after_the_last_attempt_and_staff_can_redeliver(
    receiver, settings, integrator, django_capture_on_commit_callbacks
):
    settings.OUTGOING_WEBHOOK_MAX_ATTEMPTS = 3
    _subscribe(receiver, "/down", statuses=[503, 503, 503, 200])
    _event()
    for _ in range(5):
        _send()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert len(receiver.on("/down")) == 3

    with django_capture_on_commit_callbacks(execute=True):
        response = integrator.post(f"{ENDPOINTS}deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 202
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    assert len(receiver.on("/down")) == 4
    assert delivery.log.count() == 4  # the log keeps the earlier attempts


def test_a_receiver_that_does_not_answer_in_time_is_cut_off(receiver, settings):
    settings.OUTGOING_WEBHOOK_TIMEOUT_SECONDS = 0.5
    _subscribe(receiver, "/slow", pause=3)
    _subscribe(receiver, "/fast")
    _event()
    _send()
    slow = WebhookDelivery.objects.get(endpoint__url__endswith="/slow")
    fast = WebhookDelivery.objects.get(endpoint__url__endswith="/fast")
    assert (slow.status, slow.last_error) == ("pending", "No answer within 0.5 s.")
    assert slow.last_status_code is None
    assert fast.status == "succeeded"


def test_one_events_deliveries_are_in_flight_together(receiver):
    """Each receiver answers 200 only once the other's request has also arrived: sent
    one after the other, the first would wait in vain and answer 504."""
    meeting = threading.Barrier(2, timeout=5)
    _subscribe(receiver, "/a", barrier=meeting)
    _subscribe(receiver, "/b", barrier=meeting)
    _event()
    _send()
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_post_each_delivery_once(receiver):
    for n in range(10):
        _subscribe(receiver, f"/r{n}")
    _event()

    def sender() -> None:
        try:
            _send()
        finally:
            connection.close()  # the thread's own connection, or the test database stays busy

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.path for r in receiver.received) == sorted(f"/r{n}" for n in range(10))
    assert set(WebhookDelivery.objects.values_list("attempts", flat=True)) == {1}


def test_a_url_that_turned_private_is_not_sent_to(receiver, settings):
    _subscribe(receiver, "/inside")
    settings.OUTGOING_WEBHOOK_ALLOW_PRIVATE_URLS = False
    _event()
    _send()
    delivery = WebhookDelivery.objects.get()
    assert "127.0.0.1" in delivery.last_error
    assert "public addresses only" in delivery.last_error
    assert receiver.on("/inside") == []


def test_staff_subscribe_list_change_and_rotate(integrator, settings):
    settings.OUTGOING_WEBHOOK_ALLOW_PRIVATE_URLS = True
    created = integrator.post(
        ENDPOINTS,
        {"url": "http://127.0.0.1:9/hook", "event_types": ["order.paid", "order.placed"]},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["order.paid", "order.placed"]

    listed = integrator.get(ENDPOINTS).json()["results"]
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0]

    changed = integrator.patch(
        f"{ENDPOINTS}{body['id']}/", {"is_active": False, "description": "ERP"}, format="json"
    )
    assert changed.status_code == 200
    assert (changed.json()["is_active"], changed.json()["description"]) == (False, "ERP")

    rotated = integrator.post(f"{ENDPOINTS}{body['id']}/secret/").json()["secret"]
    assert rotated.startswith("whsec_")
    assert rotated != body["secret"]
    assert integrator.delete(f"{ENDPOINTS}{body['id']}/").status_code == 204
    assert integrator.get(f"{ENDPOINTS}{body['id']}/").status_code == 404


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/hook", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.1.2.3/hook", "private"),
        ("http://[::1]/hook", "loopback"),
        ("http://localhost:8000/hook", "loopback"),
        ("ftp://example.com/hook", "http and https"),
        ("http://no-such-host.invalid/hook", "does not resolve"),
        ("http://example.com:99999/hook", "cannot be used"),
        ("http://" + "ä" * 62 + ".com/hook", "cannot be used"),
    ],
)
def test_urls_that_are_not_public_are_refused(integrator, url, reason):
    response = integrator.post(
        ENDPOINTS, {"url": url, "event_types": ["order.paid"]}, format="json"
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] in ("webhook_url_refused", "invalid")
    text = json.dumps(problem)
    assert reason.split()[0] in text or "Enter a valid URL" in text
    assert not WebhookEndpoint.objects.exists()


def test_bad_subscriptions_get_clear_errors(integrator):
    unknown = integrator.post(
        ENDPOINTS, {"url": "https://example.com/h", "event_types": ["order.eaten"]}, format="json"
    )
    assert unknown.status_code == 400
    assert "event_types" in json.dumps(unknown.json())
    empty = integrator.post(
        ENDPOINTS, {"url": "https://example.com/h", "event_types": []}, format="json"
    )
    assert empty.status_code == 400
    wrong_type = integrator.post(ENDPOINTS, {"url": 7, "event_types": "order.paid"}, format="json")
    assert wrong_type.status_code == 400
    assert integrator.post(f"{ENDPOINTS}999999/secret/").status_code == 404
    assert integrator.get(f"{ENDPOINTS}deliveries/999999/").status_code == 404
    assert integrator.post(f"{ENDPOINTS}deliveries/999999/redeliver/").status_code == 404


def test_staff_see_deliveries_and_their_attempts(receiver, integrator):
    endpoint = _subscribe(receiver, "/log", statuses=[500, 200])
    _event()
    _send()
    _send()
    listed = integrator.get(f"{ENDPOINTS}{endpoint.pk}/deliveries/", {"status": "succeeded"})
    [delivery] = listed.json()["results"]
    assert (delivery["attempts"], delivery["last_status_code"]) == (2, 200)
    assert delivery["message_id"].startswith("msg_")
    detail = integrator.get(f"{ENDPOINTS}deliveries/{delivery['id']}/").json()
    assert [a["status_code"] for a in detail["log"]] == [500, 200]
    assert all(a["latency_ms"] >= 0 for a in detail["log"])
    assert json.loads(detail["body"])["type"] == "order.placed"
    assert (
        integrator.get(f"{ENDPOINTS}{endpoint.pk}/deliveries/", {"status": "nonsense"}).status_code
        == 400
    )


def test_the_staff_group_and_customers_may_not_manage_webhooks(client_for, staff):
    assert client_for(staff).get(ENDPOINTS).status_code == 403
    assert client_for(UserFactory.create()).get(ENDPOINTS).status_code == 403


def test_a_binary_answer_is_logged_without_its_nul_bytes(receiver):
    _subscribe(receiver, "/png", body=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _event()
    _send()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded"
    assert "\x00" not in delivery.log.get().response_excerpt


def test_one_unusable_url_in_a_batch_spoils_no_other_outcome(receiver):
    _subscribe(receiver, "/good")
    # Stored before validation refused such hosts (full-width letters: httpx refuses them).
    WebhookEndpoint.objects.create(
        url="http://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/bad",
        event_types=["order.placed"],
        secret="whsec_" + base64.b64encode(b"k" * 32).decode(),
    )
    _event()
    _send()
    good = WebhookDelivery.objects.get(endpoint__url__endswith="/good")
    bad = WebhookDelivery.objects.get(endpoint__url__endswith="/bad")
    assert (good.status, good.attempts) == ("succeeded", 1)
    assert (bad.status, bad.attempts) == ("pending", 1)
    assert bad.last_error
    assert len(receiver.on("/good")) == 1


def test_the_timeout_setting_is_the_one_applied(receiver, settings):
    """(the HTTP client's own default, 5 s, once cut such an answer short)"""
    settings.OUTGOING_WEBHOOK_TIMEOUT_SECONDS = 8
    _subscribe(receiver, "/unhurried", pause=5.5)
    _event()
    _send()
    assert WebhookDelivery.objects.get().status == "succeeded"


def test_a_delivery_being_sent_is_not_redelivered_meanwhile(receiver, integrator):
    _subscribe(receiver, "/busy")
    _event()
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claim=uuid.uuid4(), leased_until=timezone.now() + timedelta(minutes=1)
    )
    response = integrator.post(f"{ENDPOINTS}deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 409
    assert response.json()["code"] == "webhook_delivery_in_flight"
    _send()  # nor is it taken by another sender while held
    assert receiver.on("/busy") == []


def test_an_outcome_is_kept_only_by_the_sender_holding_the_delivery(receiver):
    _subscribe(receiver, "/held")
    _event()
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claim=uuid.uuid4())
    services._record(delivery, Outcome(delivery.pk, 12, status_code=200), claim=uuid.uuid4())
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.log.count()) == ("pending", 0, 0)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("64:ff9b::808:808", True),  # NAT64 of a public address
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b:1::a00:1", False),
        ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1
        ("::127.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("fec0::1", False),  # site-local
        ("fe80::1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),  # carrier-grade NAT
    ],
)
def test_addresses_inside_other_addresses_are_checked_too(address, public):
    assert sending._is_public(ipaddress.ip_address(address)) is public


def test_backoff_stays_capped_for_any_attempt_count():
    assert services._backoff(200) <= timedelta(hours=6) * 1.2
