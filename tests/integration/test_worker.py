"""Background work through the real broker: a Celery worker process on RabbitMQ runs
what the web process sends, against the same PostgreSQL database."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus.config.celery import app as celery_app
from tests.system import Inbox, run_database_url, smtp_inbox

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_inbox() as handler:
        yield handler


@pytest.fixture
def worker_queue(inbox: Inbox) -> Iterator[str]:
    """A worker serving a queue of its own (other runs may share this RabbitMQ).

    Tasks the worker itself sends run inline there, so nothing it does reaches the
    shared queues; its email goes to the test's SMTP server.
    """
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nexus.config.settings.test",
        "DATABASE_URL": run_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "TEST_EMAIL_URL": f"smtp://127.0.0.1:{inbox.port}",
    }
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "nexus.config", "worker",
            "--queues", queue, "--pool", "solo", "--loglevel", "WARNING",
            "--without-mingle", "--without-gossip", "--hostname", f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    celery_app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        celery_app.conf.task_always_eager = True
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)  # type: ignore[attr-defined]  # py-amqp


def test_a_payment_event_is_applied_by_a_worker_on_rabbitmq(worker_queue, api):
    from nexus.orders.models import Order  # noqa: PLC0415
    from nexus.payments.models import Payment, PaymentEvent  # noqa: PLC0415
    from nexus.payments.tasks import process_payment_event  # noqa: PLC0415
    from tests.catalog_data import build_catalog  # noqa: PLC0415
    from tests.integration.test_checkout_races import checkout, guest_cart  # noqa: PLC0415

    catalog = build_catalog()
    number = checkout(guest_cart((catalog.headphones.variants.get().pk, 1)))[1]
    order = Order.objects.get(number=number)
    payment = Payment.objects.create(
        order=order,
        gateway="sandbox",
        reference="sb_pay_worker",
        amount=order.total,
        currency="EUR",
    )
    event = PaymentEvent.objects.create(
        gateway="sandbox",
        event_id="evt_worker",
        type="payment.succeeded",
        reference=payment.reference,
        amount=order.total,
        currency="EUR",
        payload={},
    )

    result = process_payment_event.apply_async(args=(event.pk,), queue=worker_queue)
    # (eager tasks earlier in the run leave Celery thinking it is inside one)
    result.get(timeout=60, disable_sync_subtasks=False)  # the worker ran it, told Redis

    order.refresh_from_db()
    assert order.status == "paid"
    event.refresh_from_db()
    assert event.outcome == "succeeded"


def test_an_order_email_goes_outbox_to_rabbitmq_to_worker_to_smtp(worker_queue, inbox):
    """The relay publishes to RabbitMQ; the worker runs the event's consumers; the
    confirmation email arrives at the SMTP server."""
    from nexus.core import outbox  # noqa: PLC0415
    from nexus.core.models import OutboxEvent  # noqa: PLC0415
    from tests.catalog_data import build_catalog  # noqa: PLC0415
    from tests.integration.test_checkout_races import checkout, guest_cart  # noqa: PLC0415

    catalog = build_catalog()
    number = checkout(guest_cart((catalog.headphones.variants.get().pk, 1)))[1]
    OutboxEvent.objects.update(sent_at=None)  # relayed in-process above; now through RabbitMQ
    celery_app.conf.task_default_queue = worker_queue
    try:
        assert outbox.relay() >= 1
    finally:
        celery_app.conf.task_default_queue = "default"
    deadline = time.monotonic() + 60
    while not inbox.messages:
        assert time.monotonic() < deadline, "no email arrived"
        time.sleep(0.2)  # polling the SMTP server; bounded by the deadline
    assert [m["Subject"] for m in inbox.messages] == [f"Your order {number}"]
