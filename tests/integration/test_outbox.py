"""The transactional outbox: events written with the change, relayed once, consumed once."""

import threading

import pytest
from django.db import connection, transaction

from nexus.core import outbox
from nexus.core.models import OutboxEvent, ProcessedEvent

ADDRESS = {"first_name": "A", "last_name": "B", "line1": "1", "city": "Oslo", "country": "NO"}
SEEN: list[int] = []
_lock = threading.Lock()


@outbox.consumer("test.counted", name="test-counter")
def _count(event_id, payload):
    with _lock:
        SEEN.append(event_id)


@pytest.mark.django_db
def test_an_event_is_written_with_its_change_or_not_at_all(catalog):
    def change_that_fails() -> None:
        with transaction.atomic():
            outbox.emit("test.counted", {"n": 1})
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_placing_and_paying_an_order_emit_events(api, catalog, django_capture_on_commit_callbacks):
    variant = catalog.red_shirt.variants.order_by("sku")[0]
    token = api.post("/api/v1/carts/").json()["token"]
    api.post(f"/api/v1/carts/{token}/lines/", {"variant": variant.pk, "quantity": 1}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        number = api.post(
            "/api/v1/checkout/",
            {
                "cart": token,
                "email": "g@example.com",
                "shipping_address": ADDRESS,
            },
            format="json",
        ).json()["number"]
    placed = OutboxEvent.objects.get(topic="order.placed")
    assert placed.payload["order"] == number
    assert placed.sent_at is not None  # relayed after the commit (in process here)
    assert outbox.lag() is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_relays_publish_each_event_once():
    SEEN.clear()
    for n in range(200):
        outbox.emit("test.counted", {"n": n})
    OutboxEvent.objects.update(sent_at=None)  # as if no nudge had run
    assert outbox.lag() is not None

    def relay_all() -> None:
        try:
            while outbox.relay(batch=7):
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=relay_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 0
    assert sorted(SEEN) == sorted(set(SEEN))  # no event consumed twice
    assert len(SEEN) == 200
    assert ProcessedEvent.objects.filter(consumer="test-counter").count() == 200


@pytest.mark.django_db
def test_a_redelivered_event_is_consumed_once():
    SEEN.clear()
    event = outbox.emit("test.counted", {"n": 1})
    outbox.deliver(event.pk, event.topic, event.payload)
    outbox.deliver(event.pk, event.topic, event.payload)
    assert [event.pk] == SEEN


@pytest.mark.django_db(transaction=True)
def test_the_relay_is_notified_at_commit_and_not_on_rollback(settings):
    """Outside the embedded mode an event wakes the relay process by NOTIFY, which
    PostgreSQL delivers only when the writing transaction commits."""
    import psycopg  # noqa: PLC0415

    from tests.system import run_database_url  # noqa: PLC0415

    settings.CELERY_TASK_ALWAYS_EAGER = False
    with psycopg.connect(run_database_url(), autocommit=True) as listener:
        listener.execute(f"LISTEN {outbox.CHANNEL}")

        def notices() -> int:
            return len(list(listener.notifies(timeout=0.5)))

        def change_that_fails() -> None:
            with transaction.atomic():
                outbox.emit("test.counted", {"n": 1})
                raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError):
            change_that_fails()
        assert notices() == 0

        with transaction.atomic():
            outbox.emit("test.counted", {"n": 2})
            assert notices() == 0  # not before the commit
        assert notices() == 1
    assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 1  # left for the relay


@pytest.mark.django_db
def test_an_event_keeps_the_request_that_wrote_it(api, catalog, django_capture_on_commit_callbacks):
    variant = catalog.red_shirt.variants.order_by("sku")[0]
    token = api.post("/api/v1/carts/").json()["token"]
    api.post(f"/api/v1/carts/{token}/lines/", {"variant": variant.pk, "quantity": 1}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        placed = api.post(
            "/api/v1/checkout/",
            {"cart": token, "email": "r@example.com", "shipping_address": ADDRESS},
            format="json",
            HTTP_X_REQUEST_ID="req-abc-123",
        )
    assert placed.status_code == 201
    assert placed["X-Request-ID"] == "req-abc-123"
    assert OutboxEvent.objects.get(topic="order.placed").request_id == "req-abc-123"


def test_a_task_carries_the_request_id_to_its_worker():
    """Published with a request id bound → the message header has it → the worker's run
    of the task has it bound, and not after."""
    import structlog  # noqa: PLC0415

    from nexus.core import task_context  # noqa: PLC0415
    from nexus.core.tasks import relay_outbox as task  # noqa: PLC0415 — any real task

    headers: dict[str, str] = {}
    with structlog.contextvars.bound_contextvars(request_id="req-xyz"):
        task_context.carry_request_id(headers=headers)
    assert headers == {task_context.HEADER: "req-xyz"}

    task.push_request(**headers)
    try:
        structlog.contextvars.clear_contextvars()
        task_context.bind_request_id(task=task)
        assert task_context.current_request_id() == "req-xyz"
        task_context.unbind_request_id(task=task)
        assert task_context.current_request_id() == ""
    finally:
        task.pop_request()
