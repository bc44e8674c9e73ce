"""A consumer whose effect the reliability tests count: a row per run of the handler,
in a table without constraints, so a second run would show as a second row. A worker
process loads it with ``--include tests.effects``."""

from collections.abc import Mapping
from typing import Any

from django.db import connection

from nexus.core import outbox

TABLE = "test_effect"
TOPIC = "test.effect"


def create_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (event_id bigint NOT NULL)")
        cursor.execute(f"TRUNCATE {TABLE}")


def drop_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def counts() -> tuple[int, int]:
    """(rows, distinct events) recorded so far."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), count(DISTINCT event_id) FROM {TABLE}")  # noqa: S608
        rows, distinct = cursor.fetchone()
    return int(rows), int(distinct)


@outbox.consumer(TOPIC, name="test:effect")
def record(event_id: int, payload: Mapping[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (event_id) VALUES (%s)", [event_id])  # noqa: S608
        # Work that takes a while, so that a kill lands in the middle of some of it.
        cursor.execute("SELECT pg_sleep(%s)", [float(payload.get("seconds", 0))])
