"""What the background work promises when processes die or RabbitMQ goes away: every
event's effect happens exactly once. Real worker and relay processes, real RabbitMQ
(a virtual host of each test's own), this run's PostgreSQL database."""

import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import transaction

from nexus.core import outbox
from nexus.core.models import OutboxEvent, ProcessedEvent
from tests import effects, system

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def effect_table() -> Iterator[None]:
    effects.create_table()
    yield
    effects.drop_table()


@pytest.fixture
def vhost() -> Iterator[str]:
    with system.rabbitmq_vhost() as name:
        yield name


@pytest.fixture
def env(vhost: str) -> dict[str, str]:
    return system.service_env(CELERY_BROKER_URL=system.broker_url(vhost))


def _emit(count: int, settings, seconds: float = 0.0) -> list[int]:
    """Events committed as the domains commit them (in a relay-process deployment)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False  # NOTIFY the relay instead of relaying here
    with transaction.atomic():
        return [outbox.emit(effects.TOPIC, {"seconds": seconds}).pk for _ in range(count)]


def _consumed() -> int:
    return ProcessedEvent.objects.filter(consumer="test:effect").count()


def test_a_worker_killed_mid_batch_leaves_each_effect_exactly_once(
    effect_table, vhost, env, settings, tmp_path: Path
):
    """1,000 events; the worker is SIGKILLed (with its pool) while it works through them
    and a new one started. The relay starts after the commit, so the events' notice
    went unheard: it finds them waiting all the same."""
    _emit(1000, settings, seconds=0.004)
    first = system.worker(env, tmp_path, name="worker-1", include="tests.effects").start()
    relay = system.relay(env, tmp_path).start()
    second = system.worker(env, tmp_path, name="worker-2", include="tests.effects")
    try:
        system.wait_for(lambda: effects.counts()[0] >= 250, what="the first 250 effects")
        first.kill()  # SIGKILL: no acknowledgement, no clean-up
        at_kill = effects.counts()[0]
        assert at_kill < 1000, "the worker finished before it could be killed"
        second.start()
        system.wait_for(lambda: _consumed() == 1000, what="all 1,000 events", timeout=180)
        system.wait_for(lambda: system.queued_messages(vhost) == 0, what="an empty queue")
    finally:
        for process in (relay, first, second):
            process.stop()

    assert effects.counts() == (1000, 1000)  # every effect, and none twice
    assert not OutboxEvent.objects.filter(sent_at__isnull=True).exists()


def test_a_relay_killed_after_publishing_but_before_its_commit(
    effect_table, vhost, env, settings, tmp_path: Path
):
    """The relay publishes, then cannot mark the rows sent (a lock holds its UPDATE) and
    is killed there: the rows stay unsent, the next relay publishes them again, and the
    consumers run each event's effect once all the same."""
    events = _emit(20, settings)
    worker = system.worker(env, tmp_path, include="tests.effects").start()
    first = system.relay(env, tmp_path, name="relay-1")
    second = system.relay(env, tmp_path, name="relay-2")
    try:
        with psycopg.connect(system.run_database_url()) as blocker:
            # SHARE lets the relay lock rows FOR UPDATE and publish, not UPDATE them.
            blocker.execute("LOCK TABLE core_outboxevent IN SHARE MODE")
            first.start()
            system.wait_for(lambda: effects.counts() == (20, 20), what="the first publication")
            first.kill()
            blocker.rollback()
        assert OutboxEvent.objects.filter(pk__in=events, sent_at__isnull=True).count() == 20

        second.start()
        system.wait_for(
            lambda: not OutboxEvent.objects.filter(sent_at__isnull=True).exists(),
            what="the second relay",
        )
        system.wait_for(lambda: system.queued_messages(vhost) == 0, what="an empty queue")
        system.wait_for(
            lambda: len(re.findall("outbox_event_already_handled", worker.log())) == 20,
            what="the worker to see all 20 second copies",
        )
    finally:
        for process in (first, second, worker):
            process.stop()

    assert effects.counts() == (20, 20)
