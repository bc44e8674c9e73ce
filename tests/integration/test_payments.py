"""Paying orders through the sandbox gateway, and its signed webhooks."""

import json
import time
from decimal import Decimal

import pytest

from nexus.orders.models import Order
from nexus.payments.gateways.sandbox import (
    CARD_DECLINED,
    CARD_INSUFFICIENT_FUNDS,
    CARD_REQUIRES_ACTION,
    CARD_SUCCEEDS,
    SIGNATURE_HEADER,
    sign,
)
from nexus.payments.models import Payment, PaymentEvent

pytestmark = pytest.mark.django_db

ADDRESS = {"first_name": "A", "last_name": "B", "line1": "1 Road", "city": "Oslo", "country": "NO"}
WEBHOOK = "/api/v1/payments/webhooks/sandbox/"


@pytest.fixture
def guest_order(api, catalog):
    """A guest's unpaid order for 40.00 and the token of its cart."""
    variant = catalog.red_shirt.variants.order_by("sku")[0]
    token = api.post("/api/v1/carts/").json()["token"]
    api.post(f"/api/v1/carts/{token}/lines/", {"variant": variant.pk, "quantity": 2}, format="json")
    order = api.post(
        "/api/v1/checkout/",
        {"cart": token, "email": "g@example.com", "shipping_address": ADDRESS},
        format="json",
    ).json()
    return {"number": order["number"], "cart": token}


def pay(api, order, card, capture, **extra):
    with capture(execute=True):  # the sandbox's events arrive after the commit
        return api.post(
            f"/api/v1/orders/{order['number']}/payments/",
            {"payment_method": card, "cart": order["cart"]},
            format="json",
            **extra,
        )


def status_of(order):
    return Order.objects.get(number=order["number"]).status


def signed_event(type_, reference, amount_cents, *, event_id="evt_test_1", at=None, secret=None):
    from django.conf import settings  # noqa: PLC0415

    body = json.dumps(
        {
            "id": event_id,
            "type": type_,
            "created": int(time.time()),
            "data": {"object": {"id": reference, "amount": amount_cents, "currency": "eur"}},
        }
    ).encode()
    header = sign(body, secret or settings.SANDBOX_WEBHOOK_SECRET, at)
    return body, {f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": header}


def post_event(api, body, headers, capture):
    with capture(execute=True):
        return api.post(WEBHOOK, body, content_type="application/json", **headers)


def test_a_good_card_pays_the_order(api, guest_order, django_capture_on_commit_callbacks):
    response = pay(api, guest_order, CARD_SUCCEEDS, django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "40.00"
    assert status_of(guest_order) == "paid"
    payment = Payment.objects.get()
    assert (payment.status, payment.amount_received) == ("succeeded", Decimal("40.00"))
    listed = api.get(
        f"/api/v1/orders/{guest_order['number']}/payments/", {"cart": guest_order["cart"]}
    )
    assert [p["status"] for p in listed.json()] == ["succeeded"]
    again = pay(api, guest_order, CARD_SUCCEEDS, django_capture_on_commit_callbacks)
    assert again.status_code == 409
    assert again.json()["code"] == "order_not_payable"


@pytest.mark.parametrize(
    ("card", "reason"),
    [(CARD_DECLINED, "card_declined"), (CARD_INSUFFICIENT_FUNDS, "insufficient_funds")],
)
def test_a_failed_payment_leaves_the_order_unpaid_with_the_reason(
    api, guest_order, django_capture_on_commit_callbacks, card, reason
):
    pay(api, guest_order, card, django_capture_on_commit_callbacks)
    assert status_of(guest_order) == "unpaid"
    assert Payment.objects.get().failure_reason == reason
    timeline = Order.objects.get().events.values_list("type", "data")
    assert any(kind == "payment" and reason in data["message"] for kind, data in timeline), timeline


def test_an_extra_step_then_confirm(api, guest_order, django_capture_on_commit_callbacks):
    started = pay(api, guest_order, CARD_REQUIRES_ACTION, django_capture_on_commit_callbacks)
    assert started.json()["status"] == "requires_action"
    assert status_of(guest_order) == "unpaid"
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = api.post(
            f"/api/v1/orders/{guest_order['number']}/payments/{started.json()['id']}/confirm/",
            {"cart": guest_order["cart"]},
            format="json",
        )
    assert confirmed.status_code == 200
    assert Payment.objects.get().status == "succeeded"  # by the event after the commit
    assert status_of(guest_order) == "paid"


def test_an_unknown_card_is_refused(api, guest_order, django_capture_on_commit_callbacks):
    response = pay(api, guest_order, "1234", django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert response.json()["code"] == "payment_declined"


def test_only_the_order_holder_may_pay(
    api, client_for, customer, guest_order, django_capture_on_commit_callbacks
):
    body = {"payment_method": CARD_SUCCEEDS}
    url = f"/api/v1/orders/{guest_order['number']}/payments/"
    assert api.post(url, body, format="json").status_code == 404  # no proof
    wrong = {**body, "cart": "00000000-0000-4000-8000-000000000000"}
    assert api.post(url, wrong, format="json").status_code == 404
    assert client_for(customer).post(url, body, format="json").status_code == 404
    assert api.get(url).status_code == 404
    assert not Payment.objects.exists()


def _started(api, guest_order, capture):
    """A payment that is pending: the sandbox's own event is dropped."""
    with capture(execute=False):
        response = api.post(
            f"/api/v1/orders/{guest_order['number']}/payments/",
            {"payment_method": CARD_SUCCEEDS, "cart": guest_order["cart"]},
            format="json",
        )
    return Payment.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize(
    "tamper",
    ["no header", "wrong secret", "stale", "changed body"],
)
def test_forged_or_stale_events_are_400_and_change_nothing(
    api, guest_order, django_capture_on_commit_callbacks, tamper
):
    payment = _started(api, guest_order, django_capture_on_commit_callbacks)
    at = int(time.time()) - 3600 if tamper == "stale" else None
    secret = "not-the-secret" if tamper == "wrong secret" else None
    body, headers = signed_event("payment.succeeded", payment.reference, 4000, at=at, secret=secret)
    if tamper == "no header":
        headers = {}
    if tamper == "changed body":
        body = body.replace(b"4000", b"1")
    response = post_event(api, body, headers, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert response.json()["code"] == "webhook_signature_invalid"
    assert not PaymentEvent.objects.exists()
    assert status_of(guest_order) == "unpaid"


def test_a_duplicate_event_is_acknowledged_and_applied_once(
    api, guest_order, django_capture_on_commit_callbacks
):
    payment = _started(api, guest_order, django_capture_on_commit_callbacks)
    body, headers = signed_event("payment.succeeded", payment.reference, 4000)
    first = post_event(api, body, headers, django_capture_on_commit_callbacks)
    again = post_event(api, body, headers, django_capture_on_commit_callbacks)
    assert first.json() == {"received": True, "duplicate": False}
    assert again.json() == {"received": True, "duplicate": True}
    assert PaymentEvent.objects.count() == 1
    assert Order.objects.get().events.filter(type="status_changed").count() == 1


def test_a_late_failure_does_not_undo_a_success(
    api, guest_order, django_capture_on_commit_callbacks
):
    payment = _started(api, guest_order, django_capture_on_commit_callbacks)
    success = signed_event("payment.succeeded", payment.reference, 4000, event_id="evt_a")
    failure = signed_event("payment.failed", payment.reference, 4000, event_id="evt_b")
    post_event(api, success[0], success[1], django_capture_on_commit_callbacks)
    post_event(api, failure[0], failure[1], django_capture_on_commit_callbacks)
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert status_of(guest_order) == "paid"
    assert PaymentEvent.objects.get(event_id="evt_b").outcome == "ignored: out of order"


@pytest.mark.parametrize(("cents", "currency"), [(1, "eur"), (4001, "eur"), (4000, "usd")])
def test_a_payment_that_does_not_match_the_total_is_flagged_not_paid(
    api, guest_order, django_capture_on_commit_callbacks, cents, currency
):
    payment = _started(api, guest_order, django_capture_on_commit_callbacks)
    body, headers = signed_event("payment.succeeded", payment.reference, cents)
    body = body.replace(b'"eur"', f'"{currency}"'.encode())
    from django.conf import settings  # noqa: PLC0415

    header = sign(body, settings.SANDBOX_WEBHOOK_SECRET)
    headers = {f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": header}
    post_event(api, body, headers, django_capture_on_commit_callbacks)
    payment.refresh_from_db()
    assert payment.flagged is True
    assert status_of(guest_order) == "unpaid"


def test_an_unknown_gateway_is_404(api):
    assert (
        api.post(
            "/api/v1/payments/webhooks/nope/", b"{}", content_type="application/json"
        ).status_code
        == 404
    )
