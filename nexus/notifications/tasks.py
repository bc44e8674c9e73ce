from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from nexus.orders.models import Order

SUBJECTS = {
    "order_placed": "Your order {number}",
    "order_paid": "Payment received for order {number}",
    "order_shipped": "Order {number} is on its way",
    "order_cancelled": "Order {number} was cancelled",
    "order_refunded": "Refund for order {number}",
}


@shared_task(
    autoretry_for=(SMTPException, OSError),  # the mail server refused or was unreachable
    retry_backoff=True,
    retry_jitter=True,
    max_retries=10,
)
def send_order_email(*, template: str, order_number: str) -> None:
    """One email about an order, text and HTML, to the address the order was placed with."""
    order = Order.objects.prefetch_related("lines").filter(number=order_number).first()
    if order is None:
        return  # gone (a test database, a deleted order): nothing to tell
    context = {"order": order, "lines": list(order.lines.all()), "shop": settings.SHOP_NAME}
    message = EmailMultiAlternatives(
        subject=SUBJECTS[template].format(number=order.number),
        body=render_to_string(f"notifications/{template}.txt", context),
        to=[order.email],
    )
    message.attach_alternative(
        render_to_string(f"notifications/{template}.html", context), "text/html"
    )
    message.send()
