"""The Stripe adapter against a local server that answers as Stripe's API documents,
with webhook payloads signed by the stripe library itself."""

import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
import stripe

from nexus.orders.models import Order
from nexus.payments.models import Payment

pytestmark = pytest.mark.django_db

ADDRESS = {"first_name": "A", "last_name": "B", "line1": "1 Road", "city": "Oslo", "country": "NO"}
WEBHOOK_SECRET = "whsec_local_test"


class FakeStripe(BaseHTTPRequestHandler):
    """POST /v1/payment_intents and /v1/refunds, in Stripe's documented shapes."""

    requests: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        FakeStripe.requests.append(
            {
                "path": self.path,
                "form": form,
                "idempotency_key": self.headers.get("Idempotency-Key"),
            }
        )
        if self.path == "/v1/payment_intents":
            if form.get("payment_method") == "pm_card_chargeDeclined":
                self._answer(
                    402,
                    {
                        "error": {
                            "type": "card_error",
                            "code": "card_declined",
                            "decline_code": "generic_decline",
                            "message": "Your card was declined.",
                        }
                    },
                )
                return
            self._answer(
                200,
                {
                    "id": "pi_local_1",
                    "object": "payment_intent",
                    "amount": int(form["amount"]),
                    "currency": form["currency"],
                    "status": "succeeded",
                    "client_secret": "pi_local_1_secret_abc",
                    "metadata": {"order": form.get("metadata[order]")},
                },
            )
        elif self.path == "/v1/payment_intents/pi_local_1/cancel":
            self._answer(
                200,
                {"id": "pi_local_1", "object": "payment_intent", "status": "canceled"},
            )
        elif self.path == "/v1/refunds" and form.get("amount") == "999":
            self._answer(500, {"error": {"type": "api_error", "message": "Stripe is down"}})
        elif self.path == "/v1/refunds":
            self._answer(
                200,
                {
                    "id": "re_local_1",
                    "object": "refund",
                    "amount": int(form["amount"]),
                    "currency": "eur",
                    "payment_intent": form["payment_intent"],
                    "status": "pending",
                },
            )
        else:
            self._answer(404, {"error": {"type": "invalid_request_error", "message": "nope"}})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def stripe_api(settings) -> Iterator[list[dict[str, Any]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStripe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeStripe.requests = []
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_local"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
    yield FakeStripe.requests
    server.shutdown()


@pytest.fixture
def order(api, catalog):
    variant = catalog.red_shirt.variants.order_by("sku")[0]  # 20.00
    token = api.post("/api/v1/carts/").json()["token"]
    api.post(f"/api/v1/carts/{token}/lines/", {"variant": variant.pk, "quantity": 2}, format="json")
    number = api.post(
        "/api/v1/checkout/",
        {"cart": token, "email": "g@example.com", "shipping_address": ADDRESS},
        format="json",
    ).json()["number"]
    return {"number": number, "cart": token}


def stripe_event(type_: str, obj: dict[str, Any], *, event_id: str, at: int | None = None):
    body = json.dumps({"id": event_id, "object": "event", "type": type_, "data": {"object": obj}})
    header = stripe.WebhookSignature.generate_signature_header(
        body, WEBHOOK_SECRET, at or int(time.time())
    )
    return body.encode(), {"HTTP_STRIPE_SIGNATURE": header}


def deliver(api, event, capture):
    body, headers = event
    with capture(execute=True):
        return api.post(
            "/api/v1/payments/webhooks/stripe/", body, content_type="application/json", **headers
        )


def test_a_payment_intent_is_made_and_its_event_pays_the_order(
    api, stripe_api, order, django_capture_on_commit_callbacks
):
    started = api.post(
        f"/api/v1/orders/{order['number']}/payments/",
        {"payment_method": "pm_card_visa", "cart": order["cart"]},
        format="json",
    )
    assert started.status_code == 201, started.json()
    assert started.json()["client_secret"] == "pi_local_1_secret_abc"
    sent = stripe_api[0]
    assert sent["form"]["amount"] == "4000"
    assert sent["form"]["currency"] == "eur"
    assert sent["idempotency_key"] == f"payment-{started.json()['id']}"
    assert Order.objects.get().status == "unpaid"  # until Stripe's event says so

    intent = {
        "id": "pi_local_1",
        "object": "payment_intent",
        "amount_received": 4000,
        "currency": "eur",
    }
    response = deliver(
        api,
        stripe_event("payment_intent.succeeded", intent, event_id="evt_1"),
        django_capture_on_commit_callbacks,
    )
    assert response.json() == {"received": True, "duplicate": False}
    assert Order.objects.get().status == "paid"
    assert Payment.objects.get().amount_received == Decimal("40.00")


def test_a_declined_card_is_a_400_with_stripes_code(api, stripe_api, order):
    response = api.post(
        f"/api/v1/orders/{order['number']}/payments/",
        {"payment_method": "pm_card_chargeDeclined", "cart": order["cart"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "payment_declined"
    assert Order.objects.get().status == "unpaid"


@pytest.mark.parametrize("tamper", ["wrong secret", "stale", "no header"])
def test_stripe_events_are_verified_by_the_library(
    api, stripe_api, order, django_capture_on_commit_callbacks, tamper
):
    api.post(
        f"/api/v1/orders/{order['number']}/payments/",
        {"payment_method": "pm_card_visa", "cart": order["cart"]},
        format="json",
    )
    intent = {
        "id": "pi_local_1",
        "object": "payment_intent",
        "amount_received": 4000,
        "currency": "eur",
    }
    body, headers = stripe_event(
        "payment_intent.succeeded",
        intent,
        event_id="evt_1",
        at=int(time.time()) - 3600 if tamper == "stale" else None,
    )
    if tamper == "wrong secret":
        header = stripe.WebhookSignature.generate_signature_header(body.decode(), "whsec_other")
        headers = {"HTTP_STRIPE_SIGNATURE": header}
    if tamper == "no header":
        headers = {}
    response = deliver(api, (body, headers), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert Order.objects.get().status == "unpaid"


def test_a_refund_goes_to_stripe_and_counts_when_its_event_arrives(
    api, client_for, staff, stripe_api, order, django_capture_on_commit_callbacks
):
    api.post(
        f"/api/v1/orders/{order['number']}/payments/",
        {"payment_method": "pm_card_visa", "cart": order["cart"]},
        format="json",
    )
    intent = {
        "id": "pi_local_1",
        "object": "payment_intent",
        "amount_received": 4000,
        "currency": "eur",
    }
    deliver(
        api,
        stripe_event("payment_intent.succeeded", intent, event_id="evt_1"),
        django_capture_on_commit_callbacks,
    )
    payment = Payment.objects.get()
    response = client_for(staff).post(
        f"/api/v1/staff/payments/{payment.pk}/refunds/", {"amount": "15.00"}, format="json"
    )
    assert response.status_code == 201, response.json()
    refund_id = response.json()["id"]
    assert stripe_api[-1]["form"] == {
        "payment_intent": "pi_local_1",
        "amount": "1500",
        "metadata[refund]": str(refund_id),
    }
    assert stripe_api[-1]["idempotency_key"] == f"refund-{refund_id}"
    assert Order.objects.get().status == "paid"  # not yet: Stripe confirms it

    refund = {
        "id": "re_local_1",
        "object": "refund",
        "amount": 1500,
        "currency": "eur",
        "payment_intent": "pi_local_1",
        "status": "succeeded",
    }
    for event_id in ("evt_2", "evt_3"):  # refund.created and refund.updated, both succeeded
        deliver(
            api,
            stripe_event("refund.updated", refund, event_id=event_id),
            django_capture_on_commit_callbacks,
        )
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("15.00")
    assert Order.objects.get().status == "partially_refunded"


def test_stripe_without_keys_is_a_503(api, order, settings):
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = ""
    response = api.post(
        f"/api/v1/orders/{order['number']}/payments/",
        {"payment_method": "pm_card_visa", "cart": order["cart"]},
        format="json",
    )
    assert response.status_code == 503
    assert response.json()["code"] == "gateway_unavailable"


def test_cancelling_asks_stripe_to_cancel_the_intent(
    api, client_for, staff, stripe_api, order, django_capture_on_commit_callbacks
):
    api.post(
        f"/api/v1/orders/{order['number']}/payments/",
        {"payment_method": "pm_card_visa", "cart": order["cart"]},
        format="json",
    )
    response = client_for(staff).post(
        f"/api/v1/staff/orders/{order['number']}/transitions/",
        {"status": "cancelled"},
        format="json",
    )
    assert response.json()["status"] == "cancelled"
    assert stripe_api[-1]["path"] == "/v1/payment_intents/pi_local_1/cancel"
    intent = {"id": "pi_local_1", "object": "payment_intent", "status": "canceled"}
    deliver(
        api,
        stripe_event("payment_intent.canceled", intent, event_id="evt_c"),
        django_capture_on_commit_callbacks,
    )
    assert Payment.objects.get().status == "cancelled"


def test_a_refund_stripe_fails_is_not_kept_pending(
    api, client_for, staff, stripe_api, order, django_capture_on_commit_callbacks, settings
):
    api.post(
        f"/api/v1/orders/{order['number']}/payments/",
        {"payment_method": "pm_card_visa", "cart": order["cart"]},
        format="json",
    )
    intent = {
        "id": "pi_local_1",
        "object": "payment_intent",
        "amount_received": 4000,
        "currency": "eur",
    }
    deliver(
        api,
        stripe_event("payment_intent.succeeded", intent, event_id="evt_1"),
        django_capture_on_commit_callbacks,
    )
    payment = Payment.objects.get()
    url = f"/api/v1/staff/payments/{payment.pk}/refunds/"
    failed = client_for(staff).post(url, {"amount": "9.99"}, format="json")
    assert failed.status_code == 503
    assert not payment.refunds.exists()
    retried = client_for(staff).post(url, {"amount": "40.00"}, format="json")
    assert retried.status_code == 201  # nothing held back by the failed attempt


def test_an_intent_whose_answer_was_lost_is_found_by_its_metadata(
    api, stripe_api, order, django_capture_on_commit_callbacks
):
    o = Order.objects.get()
    payment = Payment.objects.create(
        order=o, gateway="stripe", amount=o.total, currency="EUR", status="failed"
    )  # the create call timed out: no reference was saved
    intent = {
        "id": "pi_lost_1",
        "object": "payment_intent",
        "amount_received": 4000,
        "currency": "eur",
        "metadata": {"payment": str(payment.pk)},
    }
    deliver(
        api,
        stripe_event("payment_intent.succeeded", intent, event_id="evt_l"),
        django_capture_on_commit_callbacks,
    )
    payment.refresh_from_db()
    assert (payment.reference, payment.status) == ("pi_lost_1", "succeeded")
    assert Order.objects.get().status == "paid"
