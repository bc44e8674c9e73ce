from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from nexus.accounts import services as accounts_services
from nexus.accounts.models import User
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
        body=render_to_string(f"notifications/{template}.txt", context).strip(),
        to=[order.email],
    )
    message.attach_alternative(
        render_to_string(f"notifications/{template}.html", context), "text/html"
    )
    message.send()


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=10,
)
def send_password_reset_email(*, user_id: int) -> None:
    """The reset link; its token is made now and is never stored."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    uid, token = accounts_services.password_reset_token(user=user)
    context = {
        "link": f"{settings.PASSWORD_RESET_URL}?uid={uid}&token={token}",
        "uid": uid,
        "token": token,
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        "shop": settings.SHOP_NAME,
    }
    message = EmailMultiAlternatives(
        subject=f"Reset your {settings.SHOP_NAME} password",
        body=render_to_string("notifications/password_reset.txt", context).strip(),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("notifications/password_reset.html", context), "text/html"
    )
    message.send()
