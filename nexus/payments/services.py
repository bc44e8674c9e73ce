"""Payments: started by the buyer, moved only by verified provider events.

A provider is never called inside a transaction: the payment row is written first,
the provider is asked, then its answer is written. Events are verified, stored once
(a duplicate is acknowledged and ignored), and processed after the commit; an event
never moves a payment back to an earlier state, so events may arrive in any order.
"""

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import structlog
from django.db import IntegrityError, transaction
from django.utils import timezone

from nexus.accounts.models import User
from nexus.core import outbox
from nexus.core.errors import DomainError
from nexus.core.metrics import PAYMENT_EVENTS, count_on_commit, outcome_label
from nexus.orders import services as orders_services
from nexus.orders.models import Order
from nexus.payments.errors import OrderNotPayable, RefundNotPossible
from nexus.payments.gateways import default_gateway, gateway
from nexus.payments.gateways.base import PaymentGateway
from nexus.payments.gateways.sandbox import SandboxGateway
from nexus.payments.models import Payment, PaymentEvent, Refund

Status = Payment.Status
logger = structlog.get_logger(__name__)

# How far along each state is; an event that would move a payment to a lower rank
# arrived late and is ignored.
_RANK: dict[str, int] = {
    Status.PENDING: 0,
    Status.REQUIRES_ACTION: 1,
    Status.SUCCEEDED: 2,
    Status.FAILED: 2,
    Status.CANCELLED: 2,
    Status.PARTIALLY_REFUNDED: 3,
    Status.REFUNDED: 4,
}


@dataclass(frozen=True)
class StartedPayment:
    payment: Payment
    client_secret: str


def _deliver_after_commit(provider: PaymentGateway) -> None:
    """The sandbox reports through the webhook path, like a provider over HTTP."""
    if isinstance(provider, SandboxGateway):
        for event in provider.outbox:
            transaction.on_commit(
                functools.partial(
                    webhook_receive,
                    gateway_name=SandboxGateway.name,
                    body=event.body,
                    headers=event.headers,
                )
            )
        provider.outbox.clear()


def payment_start(*, order: Order, payment_method: str, actor: User | None) -> StartedPayment:
    """Ask the configured gateway for the order's total."""
    provider = default_gateway()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != Order.Status.UNPAID:
            raise OrderNotPayable(f"The order is {locked.status}.")
        if locked.total <= 0:
            raise OrderNotPayable("The order has nothing to pay.")
        payment = Payment.objects.create(
            order=locked, gateway=provider.name, amount=locked.total, currency=locked.currency
        )
    try:
        created = provider.create_payment(
            amount=payment.amount,
            currency=payment.currency,
            order_number=order.number,
            payment_method=payment_method,
            local_id=payment.pk,
        )
    except DomainError as exc:  # refused at once (a declined card) or unreachable
        Payment.objects.filter(pk=payment.pk).update(status=Status.FAILED, failure_reason=exc.code)
        raise
    with transaction.atomic():
        payment.reference = created.reference
        payment.status = created.status
        payment.save(update_fields=["reference", "status", "updated_at"])
        _deliver_after_commit(provider)
    return StartedPayment(payment, created.client_secret)


def payment_confirm(*, payment: Payment) -> Payment:
    """The buyer completed the provider's extra step (the sandbox then succeeds)."""
    provider = gateway(payment.gateway)
    if payment.reference and payment.status == Status.REQUIRES_ACTION:
        provider.confirm(
            reference=payment.reference, amount=payment.amount, currency=payment.currency
        )
        with transaction.atomic():
            _deliver_after_commit(provider)
    return payment


def webhook_receive(*, gateway_name: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """Verify and store a provider event; it is applied on the ``payments`` queue once
    the outbox event written with it is relayed (in-process after the commit in the
    embedded mode), so the provider's request never waits on the broker.

    Returns False for an event seen before (acknowledged, not processed again).
    Raises WebhookSignatureInvalid or WebhookPayloadInvalid, storing nothing.
    """
    event = gateway(gateway_name).parse_event(body=body, headers=headers)
    try:
        with transaction.atomic():
            stored = PaymentEvent.objects.create(
                gateway=gateway_name,
                event_id=event.event_id,
                type=event.type,
                reference=event.reference,
                refund_reference=event.refund_reference,
                local_payment_id=event.local_payment_id,
                local_refund_id=event.local_refund_id,
                amount=event.amount,
                currency=event.currency,
                failure_reason=event.failure_reason,
                payload=dict(event.raw),
            )
            outbox.emit(EVENT_RECEIVED, {"event": stored.pk})
    except IntegrityError:
        # Seen before; if it was never applied (its hand-over failed), try again now.
        waiting = PaymentEvent.objects.filter(
            gateway=gateway_name, event_id=event.event_id, processed_at__isnull=True
        ).first()
        if waiting is not None:
            with transaction.atomic():
                outbox.emit(EVENT_RECEIVED, {"event": waiting.pk})
        return False
    return True


# The outbox topic that hands a stored provider event to the payments queue.
EVENT_RECEIVED = "payment.event_received"


def process_later(event_pk: int) -> None:
    """Hand the event to the payments queue (run at once in the embedded mode).

    A failure here is logged, not raised: the event is stored, and
    ``payment_events_requeue`` picks up whatever was not applied.
    """
    from nexus.payments.tasks import process_payment_event  # noqa: PLC0415 — tasks import us

    try:
        process_payment_event.delay(event_pk)
    except Exception:
        logger.warning("payment_event_not_applied", event_pk=event_pk, exc_info=True)


def payment_events_requeue(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Hand stored events that were never applied to the queue again."""
    waiting = list(
        PaymentEvent.objects.filter(
            processed_at__isnull=True, received_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)[:500]
    )
    for event_pk in waiting:
        process_later(event_pk)
    return len(waiting)


def _order_event(payment: Payment, message: str) -> None:
    orders_services.order_payment_noted(
        order=payment.order,
        data={"payment": payment.pk, "gateway": payment.gateway, "message": message},
    )


@transaction.atomic
def payment_event_process(*, event_pk: int) -> None:
    """Apply a stored event to its payment and order, once."""
    stored = PaymentEvent.objects.select_for_update().get(pk=event_pk)
    if stored.processed_at is not None:
        return
    stored.processed_at = timezone.now()
    stored.outcome = _apply(stored)
    stored.save(update_fields=["processed_at", "outcome"])
    count_on_commit(PAYMENT_EVENTS, outcome=outcome_label(stored.outcome))


def _apply(stored: PaymentEvent) -> str:
    payment = (
        Payment.objects.select_for_update()
        .select_related("order")
        .filter(gateway=stored.gateway, reference=stored.reference)
        .first()
    )
    if payment is None and stored.local_payment_id is not None:
        # Created at the provider, but its answer never reached us (a timeout).
        payment = (
            Payment.objects.select_for_update()
            .select_related("order")
            .filter(gateway=stored.gateway, pk=stored.local_payment_id, reference="")
            .first()
        )
        if payment is not None:
            payment.reference = stored.reference
            payment.save(update_fields=["reference", "updated_at"])
    if payment is None:
        return "ignored: unknown payment"
    handler = _HANDLERS.get(stored.type)
    return handler(payment, stored) if handler else "ignored: unknown type"


def _on_succeeded(payment: Payment, stored: PaymentEvent) -> str:
    return _succeeded(payment, stored.amount or Decimal(0), stored.currency)


def _on_failed(payment: Payment, stored: PaymentEvent) -> str:
    if not _advance(payment, Status.FAILED):
        return "ignored: out of order"
    payment.failure_reason = stored.failure_reason or "failed"
    payment.save(update_fields=["failure_reason", "updated_at"])
    _order_event(payment, f"Payment failed: {payment.failure_reason}.")
    return "failed"


def _on_requires_action(payment: Payment, stored: PaymentEvent) -> str:
    return "requires action" if _advance(payment, Status.REQUIRES_ACTION) else "ignored"


def _on_cancelled(payment: Payment, stored: PaymentEvent) -> str:
    return "cancelled" if _advance(payment, Status.CANCELLED) else "ignored: out of order"


def _on_refund(payment: Payment, stored: PaymentEvent) -> str:
    return _refunded(payment, stored)


def _advance(payment: Payment, to: str) -> bool:
    if _RANK[to] <= _RANK[payment.status] and to != payment.status:
        return False
    payment.status = to
    payment.save(update_fields=["status", "updated_at"])
    return True


def _succeeded(payment: Payment, amount: Decimal, currency: str) -> str:
    if payment.status in (Status.SUCCEEDED, Status.PARTIALLY_REFUNDED, Status.REFUNDED):
        return "ignored: already succeeded"
    payment.status = Status.SUCCEEDED
    payment.amount_received = amount
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    matches = amount == order.total and currency == order.currency
    if not matches or order.status != Order.Status.UNPAID:
        payment.flagged = True
        payment.flag_reason = (
            f"Received {amount} {currency} for an order of {order.total} {order.currency} "
            f"({order.status})."
        )
        payment.save()
        _order_event(payment, payment.flag_reason + " Not marked paid; flagged for staff.")
        return "flagged"
    payment.save()
    orders_services.order_mark_paid(order=order, data={"payment": payment.pk})
    return "succeeded"


def _refunded(payment: Payment, stored: PaymentEvent) -> str:
    refund = (
        Refund.objects.select_for_update()
        .filter(payment=payment, reference=stored.refund_reference)
        .first()
    )
    if refund is None and stored.local_refund_id is not None:  # before its id was saved
        refund = (
            Refund.objects.select_for_update()
            .filter(payment=payment, pk=stored.local_refund_id)
            .first()
        )
        if refund is not None and not refund.reference:
            refund.reference = stored.refund_reference
            refund.save(update_fields=["reference"])
    if refund is None:  # made at the provider (its dashboard): recorded now
        refund = Refund.objects.create(
            payment=payment, reference=stored.refund_reference, amount=stored.amount or 0
        )
    if refund.status == Refund.Status.SUCCEEDED:
        return "ignored: refund counted already"
    refund.status = Refund.Status.SUCCEEDED
    refund.save(update_fields=["status"])
    payment.amount_refunded = min(payment.amount_refunded + refund.amount, payment.amount_received)
    full = payment.amount_refunded >= payment.amount_received
    payment.status = Status.REFUNDED if full else Status.PARTIALLY_REFUNDED
    payment.save()
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    orders_services.order_refunded(order=order, full=full, data={"payment": payment.pk})
    if refund.restock:
        orders_services.order_restock(order=order)
    return "refunded" if full else "partially refunded"


def payment_refund(
    *, payment: Payment, amount: Decimal | None, restock: bool, actor: User | None
) -> Refund:
    """Give money back (all that is left when ``amount`` is None). The refund is
    recorded first, the provider asked outside any transaction, and the money
    counted when the provider's event confirms it."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        pending = sum(
            locked.refunds.filter(status=Refund.Status.PENDING).values_list("amount", flat=True),
            Decimal(0),
        )
        left = locked.amount_received - locked.amount_refunded - pending
        wanted = left if amount is None else amount
        if locked.status not in (Status.SUCCEEDED, Status.PARTIALLY_REFUNDED) or not (
            Decimal(0) < wanted <= left
        ):
            raise RefundNotPossible(
                field_errors={"amount": [f"{left} {locked.currency} can be refunded."]}
            )
        refund = Refund.objects.create(
            payment=locked, amount=wanted, restock=restock, requested_by=actor
        )
    provider = gateway(payment.gateway)
    try:
        reference = provider.refund(
            reference=locked.reference, amount=wanted, currency=locked.currency, local_id=refund.pk
        )
    except DomainError:
        refund.delete()  # not asked after all: it must not hold the amount back
        raise
    with transaction.atomic():
        Refund.objects.filter(pk=refund.pk, reference="").update(reference=reference)
        _deliver_after_commit(provider)
    refund.refresh_from_db()
    return refund


def order_cancel_with_refund(*, order: Order, actor: User | None) -> Order:
    """Cancel an order: payments still under way are called off at the provider, and
    what was paid goes back to the buyer (the provider is asked after the commit)."""
    cancelled = orders_services.order_cancel(order=order, actor=actor)
    for payment in Payment.objects.filter(order=order):
        if payment.status in (Status.PENDING, Status.REQUIRES_ACTION) and payment.reference:
            provider = gateway(payment.gateway)
            provider.cancel(reference=payment.reference)
            with transaction.atomic():
                _deliver_after_commit(provider)
        elif payment.status in (Status.SUCCEEDED, Status.PARTIALLY_REFUNDED) and (
            payment.amount_received > payment.amount_refunded
        ):
            payment_refund(payment=payment, amount=None, restock=False, actor=actor)
    return cancelled


def order_move(*, order: Order, to: str, actor: User | None, tracking_number: str = "") -> Order:
    """Move an order to another state as staff ask: a cancellation also calls off its
    payments and pays back what was paid; any other step is the order's own."""
    if to == Order.Status.CANCELLED:
        return order_cancel_with_refund(order=order, actor=actor)
    return orders_services.order_transition(
        order=order, to=to, actor=actor, tracking_number=tracking_number
    )


_HANDLERS: dict[str, Callable[[Payment, PaymentEvent], str]] = {
    "payment.succeeded": _on_succeeded,
    "payment.failed": _on_failed,
    "payment.requires_action": _on_requires_action,
    "payment.cancelled": _on_cancelled,
    "refund.succeeded": _on_refund,
}
