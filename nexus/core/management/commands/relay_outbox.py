"""The outbox relay process: publishes events to the broker as soon as they commit.

On PostgreSQL it listens for the ``NOTIFY`` each committing writer sends, so an event
leaves within milliseconds; it also relays every ``--interval`` seconds, which covers
a relay that was down when the notice went out and a broker that was. Run as many as
you like: rows are taken under ``SKIP LOCKED``, so none is published twice at once.
"""

import signal
import time
from types import FrameType
from typing import Any

import psycopg
import structlog
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, InterfaceError, connection, connections

from nexus.core import outbox
from nexus.core.metrics import serve_metrics

logger = structlog.get_logger(__name__)


class Command(BaseCommand):
    help = "Publish outbox events to the broker as they are committed (run one or more)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between relays with no notice."
        )
        parser.add_argument("--batch", type=int, default=100, help="Events per transaction.")

    def handle(self, *args: Any, interval: float, batch: int, **options: Any) -> None:
        self._stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        serve_metrics("NEXUS_RELAY_METRICS_PORT")
        logger.info("outbox_relay_started", interval=interval, batch=batch)
        listener = None
        while not self._stopping:
            try:
                if listener is None and connection.vendor == "postgresql":
                    listener = self._listen()
                while not self._stopping and outbox.relay(batch=batch) == batch:
                    pass  # a full batch: more may wait
                self._wait(listener, interval)
            except (DatabaseError, InterfaceError, psycopg.Error):
                # (the LISTEN connection's own errors are psycopg's, not Django's)
                logger.warning("outbox_relay_database_error", exc_info=True)
                self._close(listener)
                listener = None
                connections.close_all()
                time.sleep(interval)  # the database is away; try again later
        self._close(listener)
        logger.info("outbox_relay_stopped")

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = True

    @staticmethod
    def _listen() -> Any:
        """A connection of its own for ``LISTEN`` (the default one runs transactions)."""
        listener = connections.create_connection("default")
        listener.ensure_connection()
        listener.set_autocommit(True)
        with listener.cursor() as cursor:
            cursor.execute(f"LISTEN {outbox.CHANNEL}")
        return listener

    def _wait(self, listener: Any, interval: float) -> None:
        if listener is None:
            time.sleep(interval)  # no LISTEN off PostgreSQL: poll at the interval instead
            return
        # Wakes on the first notice or after the interval; the notices' content is unused.
        for _ in listener.connection.notifies(timeout=interval, stop_after=1):
            pass

    @staticmethod
    def _close(listener: Any) -> None:
        if listener is not None:
            listener.close()
