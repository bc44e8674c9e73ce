from django.db.models import QuerySet

from nexus.orders.models import Order
from nexus.payments.errors import PaymentNotFound
from nexus.payments.models import Payment


def payments_of(*, order: Order) -> QuerySet[Payment]:
    return Payment.objects.filter(order=order).select_related("order")


def payment_of(*, order: Order, payment_id: int) -> Payment:
    payment = Payment.objects.filter(order=order, pk=payment_id).first()
    if payment is None:
        raise PaymentNotFound()
    return payment


def payment_list() -> QuerySet[Payment]:
    return Payment.objects.select_related("order")


def payment_get(*, payment_id: int) -> Payment:
    payment = Payment.objects.select_related("order").filter(pk=payment_id).first()
    if payment is None:
        raise PaymentNotFound()
    return payment
