"""Order emails, sent through a real SMTP server on this machine (aiosmtpd)."""

from collections.abc import Iterator
from email.message import Message

import pytest

from nexus.core import outbox
from nexus.core.models import OutboxEvent
from tests.system import Inbox, smtp_inbox

pytestmark = pytest.mark.django_db

ADDRESS = {"first_name": "A", "last_name": "B", "line1": "1 Road", "city": "Oslo", "country": "NO"}


@pytest.fixture
def inbox(settings) -> Iterator[Inbox]:
    with smtp_inbox() as handler:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", handler.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield handler


def _text(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_an_order_gets_a_confirmation_and_a_shipping_notice(
    api, client_for, staff, catalog, inbox, django_capture_on_commit_callbacks
):
    variant = catalog.red_shirt.variants.order_by("sku")[0]
    token = api.post("/api/v1/carts/").json()["token"]
    api.post(f"/api/v1/carts/{token}/lines/", {"variant": variant.pk, "quantity": 2}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        number = api.post(
            "/api/v1/checkout/",
            {"cart": token, "email": "buyer@example.com", "shipping_address": ADDRESS},
            format="json",
        ).json()["number"]

    [confirmation] = inbox.messages
    assert confirmation["To"] == "buyer@example.com"
    assert confirmation["Subject"] == f"Your order {number}"
    assert "2 x Red linen shirt" in _text(confirmation)
    assert "Total: 40.00 EUR" in _text(confirmation)
    assert any(p.get_content_type() == "text/html" for p in confirmation.walk())

    staff_api = client_for(staff)
    for step in ({"status": "paid"}, {"status": "fulfilled"}):
        with django_capture_on_commit_callbacks(execute=True):
            staff_api.post(f"/api/v1/staff/orders/{number}/transitions/", step, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        staff_api.post(
            f"/api/v1/staff/orders/{number}/transitions/",
            {"status": "shipped", "tracking_number": "TRK-42"},
            format="json",
        )
    subjects = [m["Subject"] for m in inbox.messages]
    assert subjects == [
        f"Your order {number}",
        f"Payment received for order {number}",
        f"Order {number} is on its way",
    ]
    assert "Tracking number: TRK-42" in _text(inbox.messages[-1])


def test_an_event_delivered_twice_sends_one_email(
    api, catalog, inbox, django_capture_on_commit_callbacks
):
    variant = catalog.red_shirt.variants.order_by("sku")[0]
    token = api.post("/api/v1/carts/").json()["token"]
    api.post(f"/api/v1/carts/{token}/lines/", {"variant": variant.pk, "quantity": 1}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            "/api/v1/checkout/",
            {"cart": token, "email": "buyer@example.com", "shipping_address": ADDRESS},
            format="json",
        )
    placed = OutboxEvent.objects.get(topic="order.placed")
    outbox.deliver(placed.pk, placed.topic, placed.payload)  # a redelivery
    assert len(inbox.messages) == 1


def test_a_forgotten_password_is_reset_through_the_emailed_link(
    api, customer, inbox, django_capture_on_commit_callbacks
):
    import re  # noqa: PLC0415

    from tests.factories import PASSWORD  # noqa: PLC0415

    old_refresh = api.post(
        "/api/v1/auth/token/", {"email": customer.email, "password": PASSWORD}, format="json"
    ).json()["refresh"]
    with django_capture_on_commit_callbacks(execute=True):
        known = api.post("/api/v1/auth/password-reset/", {"email": customer.email}, format="json")
        unknown = api.post(
            "/api/v1/auth/password-reset/", {"email": "nobody@example.com"}, format="json"
        )
    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.content == unknown.content
    [message] = inbox.messages
    assert message["To"] == customer.email
    link = re.search(r"\?uid=([^&\s]+)&token=(\S+)", _text(message))
    assert link is not None
    uid, token = link.groups()

    confirm = "/api/v1/auth/password-reset/confirm/"
    body = {"uid": uid, "token": token, "new_password": "a-brand-new-passphrase"}
    assert api.post(confirm, {**body, "new_password": "123"}, format="json").status_code == 400
    assert api.post(confirm, body, format="json").status_code == 204
    again = api.post(confirm, body, format="json")  # the link works once
    assert again.status_code == 400
    assert again.json()["code"] == "reset_token_invalid"
    signed_in = api.post(
        "/api/v1/auth/token/",
        {"email": customer.email, "password": "a-brand-new-passphrase"},
        format="json",
    )
    assert signed_in.status_code == 200
    refreshed = api.post("/api/v1/auth/token/refresh/", {"refresh": old_refresh}, format="json")
    assert refreshed.status_code == 401  # older sessions were signed out


@pytest.mark.parametrize(
    "body",
    [{"uid": "x", "token": "y", "new_password": "a-brand-new-passphrase"}, {"uid": "MQ"}],
)
def test_a_bad_reset_link_is_400(api, body):
    assert api.post("/api/v1/auth/password-reset/confirm/", body, format="json").status_code == 400


def test_staff_hear_when_a_sale_takes_a_variant_to_its_threshold(
    api, staff, catalog, inbox, django_capture_on_commit_callbacks
):
    from nexus.inventory.models import LowStockThreshold  # noqa: PLC0415

    headphones = catalog.headphones.variants.get()  # 3 in stock
    LowStockThreshold.objects.create(variant=headphones, threshold=1)
    for quantity in (1, 1):  # 3 → 2 (above), then 2 → 1 (at the threshold)
        token = api.post("/api/v1/carts/").json()["token"]
        api.post(
            f"/api/v1/carts/{token}/lines/",
            {"variant": headphones.pk, "quantity": quantity},
            format="json",
        )
        with django_capture_on_commit_callbacks(execute=True):
            api.post(
                "/api/v1/checkout/",
                {"cart": token, "email": "b@example.com", "shipping_address": ADDRESS},
                format="json",
            )
    alerts = [m for m in inbox.messages if m["Subject"].startswith("Low stock")]
    assert [m["Subject"] for m in alerts] == [f"Low stock: {headphones.sku}"]
    assert alerts[0]["To"] == staff.email
    assert "has 1 unit left to sell" in _text(alerts[0])


def test_the_daily_summary_counts_yesterdays_orders(api, staff, catalog, inbox):
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from nexus.notifications.tasks import send_daily_sales_summary  # noqa: PLC0415
    from nexus.orders.models import Order  # noqa: PLC0415

    variant = catalog.red_shirt.variants.order_by("sku")[0]
    for _ in range(2):
        token = api.post("/api/v1/carts/").json()["token"]
        api.post(
            f"/api/v1/carts/{token}/lines/", {"variant": variant.pk, "quantity": 1}, format="json"
        )
        api.post(
            "/api/v1/checkout/",
            {"cart": token, "email": "b@example.com", "shipping_address": ADDRESS},
            format="json",
        )
    Order.objects.update(created_at=timezone.now() - timedelta(days=1))
    inbox.messages.clear()

    send_daily_sales_summary()

    [summary] = inbox.messages
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert summary["Subject"] == f"Sales on {day}"
    text = _text(summary)
    assert f"Orders placed on {day}: 2" in text
    assert "EUR: 2 orders (not cancelled), 40.00 in total" in text
