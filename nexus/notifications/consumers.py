"""Which domain events send which email. Each consumer runs once per event (the outbox
guarantees it) and hands the sending to the email queue."""

from collections.abc import Mapping
from typing import Any

from nexus.core import outbox
from nexus.notifications.tasks import (
    send_low_stock_alert,
    send_order_email,
    send_password_reset_email,
)

# Outbox topic → email template; the payload carries the order's number.
ORDER_EMAILS = {
    "order.placed": "order_placed",
    "order.paid": "order_paid",
    "order.shipped": "order_shipped",
    "order.cancelled": "order_cancelled",
    "order.refunded": "order_refunded",
    "order.partially_refunded": "order_refunded",
}


def _subscribe(topic: str, template: str) -> None:
    @outbox.consumer(topic, name=f"email:{template}")
    def send(event_id: int, payload: Mapping[str, Any]) -> None:
        send_order_email.delay(template=template, order_number=str(payload["order"]))


for _topic, _template in ORDER_EMAILS.items():
    _subscribe(_topic, _template)


@outbox.consumer("user.password_reset_requested", name="email:password_reset")
def _password_reset(event_id: int, payload: Mapping[str, Any]) -> None:
    send_password_reset_email.delay(user_id=int(payload["user"]))


@outbox.consumer("stock.low", name="email:low_stock")
def _low_stock(event_id: int, payload: Mapping[str, Any]) -> None:
    send_low_stock_alert.delay(
        variant_id=int(payload["variant"]),
        available=int(payload["available"]),
        threshold=int(payload["threshold"]),
    )
