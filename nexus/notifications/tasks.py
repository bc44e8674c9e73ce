from datetime import datetime, time, timedelta
from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from nexus.accounts import services as accounts_services
from nexus.accounts.models import User
from nexus.catalog.models import ProductVariant
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


def _staff_emails() -> list[str]:
    return list(
        User.objects.filter(is_staff=True, is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )


def _send_to_staff(subject: str, template: str, context: dict[str, Any]) -> None:
    recipients = _staff_emails()
    if not recipients:
        return
    context = {**context, "shop": settings.SHOP_NAME}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"notifications/{template}.txt", context).strip(),
        to=recipients,
    )
    message.attach_alternative(
        render_to_string(f"notifications/{template}.html", context), "text/html"
    )
    message.send()


@shared_task(
    autoretry_for=(SMTPException, OSError), retry_backoff=True, retry_jitter=True, max_retries=10
)
def send_low_stock_alert(*, variant_id: int, available: int, threshold: int) -> None:
    variant = ProductVariant.objects.select_related("product").filter(pk=variant_id).first()
    if variant is None:
        return
    _send_to_staff(
        f"Low stock: {variant.sku}",
        "low_stock",
        {"variant": variant, "available": available, "threshold": threshold},
    )


@shared_task(
    autoretry_for=(SMTPException, OSError), retry_backoff=True, retry_jitter=True, max_retries=10
)
def send_daily_sales_summary() -> None:
    """Periodic: yesterday's orders (shop time zone) for staff."""
    today = timezone.localdate()
    day = today - timedelta(days=1)
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    orders = Order.objects.filter(created_at__gte=start, created_at__lt=end)
    totals = list(
        orders.exclude(status=Order.Status.CANCELLED)
        .values("currency")
        .annotate(count=Count("pk"), revenue=Sum("total"))
        .order_by("currency")
    )
    by_status = dict(orders.values_list("status").annotate(n=Count("pk")).order_by())
    _send_to_staff(
        f"Sales on {day.isoformat()}",
        "daily_sales",
        {
            "day": day,
            "totals": totals,
            "by_status": sorted(by_status.items()),
            "orders": orders.count(),
        },
    )
