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
    payment = Payment.objects.get()  # kept, as failed, for the record
    assert (payment.status, payment.failure_reason) == ("failed", "payment_declined")


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


@pytest.fixture
def paid_order(api, guest_order, django_capture_on_commit_callbacks):
    pay(api, guest_order, CARD_SUCCEEDS, django_capture_on_commit_callbacks)
    assert status_of(guest_order) == "paid"
    return {**guest_order, "payment": Payment.objects.get()}


def refund(staff_api, payment, capture, **body):
    with capture(execute=True):
        return staff_api.post(f"/api/v1/staff/payments/{payment.pk}/refunds/", body, format="json")


def test_partial_then_full_refund(
    client_for, staff, paid_order, django_capture_on_commit_callbacks
):
    staff_api = client_for(staff)
    payment = paid_order["payment"]
    part = refund(staff_api, payment, django_capture_on_commit_callbacks, amount="15.00")
    assert part.status_code == 201, part.json()
    assert status_of(paid_order) == "partially_refunded"
    too_much = refund(staff_api, payment, django_capture_on_commit_callbacks, amount="30.00")
    assert too_much.status_code == 409
    assert too_much.json()["code"] == "refund_not_possible"
    rest = refund(staff_api, payment, django_capture_on_commit_callbacks)
    assert rest.json()["amount"] == "25.00"
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("refunded", Decimal("40.00"))
    assert status_of(paid_order) == "refunded"
    assert refund(staff_api, payment, django_capture_on_commit_callbacks).status_code == 409


def test_a_refund_event_delivered_twice_counts_once(
    client_for, staff, paid_order, django_capture_on_commit_callbacks, api
):
    from nexus.payments.models import Refund  # noqa: PLC0415

    payment = paid_order["payment"]
    refund(client_for(staff), payment, django_capture_on_commit_callbacks, amount="10.00")
    first = Refund.objects.get()
    body = json.dumps(
        {
            "id": "evt_again",
            "type": "refund.succeeded",
            "data": {
                "object": {"id": first.reference, "payment": payment.reference, "amount": 1000}
            },
        }
    ).encode()
    from django.conf import settings  # noqa: PLC0415

    headers = {"HTTP_SANDBOX_SIGNATURE": sign(body, settings.SANDBOX_WEBHOOK_SECRET)}
    post_event(api, body, headers, django_capture_on_commit_callbacks)
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("10.00")


def test_a_refund_with_restock_puts_the_units_back(
    client_for, staff, paid_order, django_capture_on_commit_callbacks, catalog
):
    from nexus.inventory.models import Stock  # noqa: PLC0415

    shirt = catalog.red_shirt.variants.order_by("sku")[0]  # 5 on hand, 2 ordered
    assert Stock.objects.get(variant=shirt).quantity_allocated == 2
    refund(
        client_for(staff), paid_order["payment"], django_capture_on_commit_callbacks, restock=True
    )
    stock = Stock.objects.get(variant=shirt)
    assert (stock.quantity, stock.quantity_allocated) == (5, 0)


def test_a_refund_after_shipping_returns_the_units_to_the_warehouse(
    client_for, staff, paid_order, django_capture_on_commit_callbacks, catalog
):
    from nexus.inventory.models import Stock  # noqa: PLC0415

    staff_api = client_for(staff)
    shirt = catalog.red_shirt.variants.order_by("sku")[0]
    staff_api.post(
        f"/api/v1/staff/orders/{paid_order['number']}/transitions/",
        {"status": "fulfilled"},
        format="json",
    )
    assert Stock.objects.get(variant=shirt).quantity == 3
    refund(staff_api, paid_order["payment"], django_capture_on_commit_callbacks, restock=True)
    stock = Stock.objects.get(variant=shirt)
    assert (stock.quantity, stock.quantity_allocated) == (5, 0)


def test_staff_cancelling_a_paid_order_refunds_it(
    client_for, staff, paid_order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post(
            f"/api/v1/staff/orders/{paid_order['number']}/transitions/",
            {"status": "cancelled"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    payment = paid_order["payment"]
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("refunded", Decimal("40.00"))
    assert status_of(paid_order) == "cancelled"


def test_staff_list_payments_with_filters(client_for, staff, customer, paid_order):
    staff_api = client_for(staff)
    rows = staff_api.get("/api/v1/staff/payments/").json()["results"]
    assert [(r["order"], r["status"]) for r in rows] == [(paid_order["number"], "succeeded")]
    assert staff_api.get("/api/v1/staff/payments/?flagged=true").json()["results"] == []
    assert staff_api.get("/api/v1/staff/payments/?status=failed").json()["results"] == []
    assert staff_api.get("/api/v1/staff/payments/?status=lost").status_code == 400
    customer_api = client_for(customer)
    assert customer_api.get("/api/v1/staff/payments/").status_code == 403
    url = f"/api/v1/staff/payments/{paid_order['payment'].pk}/refunds/"
    assert customer_api.post(url, {}, format="json").status_code == 403


def test_cancelling_an_order_calls_off_a_payment_under_way(
    client_for, customer, catalog, django_capture_on_commit_callbacks
):
    client = client_for(customer)
    variant = catalog.red_shirt.variants.order_by("sku")[0]
    token = client.post("/api/v1/carts/").json()["token"]
    client.post(
        f"/api/v1/carts/{token}/lines/", {"variant": variant.pk, "quantity": 1}, format="json"
    )
    number = client.post(
        "/api/v1/checkout/", {"cart": token, "shipping_address": ADDRESS}, format="json"
    ).json()["number"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/api/v1/orders/{number}/payments/",
            {"payment_method": CARD_REQUIRES_ACTION},
            format="json",
        )
    assert Payment.objects.get().status == "requires_action"
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(f"/api/v1/orders/{number}/cancel/")
    assert cancelled.json()["status"] == "cancelled"
    assert Payment.objects.get().status == "cancelled"


def test_an_event_whose_processing_was_lost_is_applied_by_the_requeue(
    api, guest_order, django_capture_on_commit_callbacks
):
    from nexus.payments.tasks import requeue_payment_events  # noqa: PLC0415

    payment = _started(api, guest_order, django_capture_on_commit_callbacks)
    body, headers = signed_event("payment.succeeded", payment.reference, 4000)
    with django_capture_on_commit_callbacks(execute=False):  # the hand-over is lost
        api.post(WEBHOOK, body, content_type="application/json", **headers)
    assert status_of(guest_order) == "unpaid"
    PaymentEvent.objects.update(
        received_at=PaymentEvent.objects.get().received_at.replace(year=2000)
    )

    assert requeue_payment_events() == 1

    assert status_of(guest_order) == "paid"


def test_a_resent_event_stored_but_not_applied_is_applied(
    api, guest_order, django_capture_on_commit_callbacks
):
    payment = _started(api, guest_order, django_capture_on_commit_callbacks)
    body, headers = signed_event("payment.succeeded", payment.reference, 4000)
    with django_capture_on_commit_callbacks(execute=False):
        api.post(WEBHOOK, body, content_type="application/json", **headers)
    again = post_event(api, body, headers, django_capture_on_commit_callbacks)
    assert again.json()["duplicate"] is True
    assert status_of(guest_order) == "paid"


@pytest.mark.parametrize("gateway", ["sandbox", "stripe"])
def test_a_body_that_is_not_utf8_is_a_400(api, settings, gateway):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", "whsec_x"
    header = "HTTP_SANDBOX_SIGNATURE" if gateway == "sandbox" else "HTTP_STRIPE_SIGNATURE"
    response = api.post(
        f"/api/v1/payments/webhooks/{gateway}/",
        b"\xff\xfe{",
        content_type="application/json",
        **{header: "t=1,v1=ab"},
    )
    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()
