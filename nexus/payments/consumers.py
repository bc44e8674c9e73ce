"""A stored provider event goes to the payments queue once its outbox event is relayed."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from nexus.core import outbox
from nexus.payments import services


@outbox.consumer(services.EVENT_RECEIVED, name="payments:apply")
def _apply(event_id: int, payload: Mapping[str, Any]) -> None:
    event_pk = int(payload["event"])
    transaction.on_commit(lambda: services.process_later(event_pk), robust=True)
