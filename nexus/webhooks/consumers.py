"""Every event a subscriber may choose becomes deliveries, posted after the commit."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from nexus.core import outbox
from nexus.webhooks import services
from nexus.webhooks.models import EVENT_TYPES
from nexus.webhooks.tasks import send_webhooks


def _subscribe(event_type: str) -> None:
    @outbox.consumer(event_type, name="webhooks")
    def fan_out(event_id: int, payload: Mapping[str, Any]) -> None:
        if services.event_fan_out(event_id=event_id, event_type=event_type, payload=payload):
            transaction.on_commit(lambda: send_webhooks.delay(event_id=event_id), robust=True)


for _event_type in EVENT_TYPES:
    _subscribe(_event_type)
