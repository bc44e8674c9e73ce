"""Stripe: PaymentIntents through the official library; events verified by it.

``STRIPE_API_BASE`` points the library at another address (the tests' local server
that speaks Stripe's JSON); in production it stays Stripe's.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import stripe
from django.conf import settings

from nexus.payments.errors import (
    GatewayUnavailable,
    PaymentDeclined,
    WebhookPayloadInvalid,
    WebhookSignatureInvalid,
)
from nexus.payments.gateways.base import (
    CreatedPayment,
    ProviderEvent,
    from_minor_units,
    local_id,
    to_minor_units,
)

SIGNATURE_HEADER = "Stripe-Signature"

# PaymentIntent statuses in the domain's terms.
_STATUS = {
    "succeeded": "pending",  # counted when its event arrives, like every outcome
    "processing": "pending",
    "requires_action": "requires_action",
    "requires_confirmation": "requires_action",
    "requires_payment_method": "pending",
    "canceled": "cancelled",
}


class StripeGateway:
    name: ClassVar[str] = "stripe"

    def __init__(self) -> None:
        if not settings.STRIPE_SECRET_KEY or not settings.STRIPE_WEBHOOK_SECRET:
            raise GatewayUnavailable(
                "Stripe is not configured (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET)."
            )
        self.client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=2,
        )

    def create_payment(
        self,
        *,
        amount: Decimal,
        currency: str,
        order_number: str,
        payment_method: str,
        local_id: int,
    ) -> CreatedPayment:
        try:
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": to_minor_units(amount),
                    "currency": currency.lower(),
                    "payment_method": payment_method,
                    "confirm": True,
                    "metadata": {"order": order_number, "payment": str(local_id)},
                    "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
                },
                # One local payment is one PaymentIntent at Stripe, however often asked.
                options={"idempotency_key": f"payment-{local_id}"},
            )
        except stripe.CardError as exc:
            raise PaymentDeclined(
                str(exc.user_message or "The card was declined."),
                field_errors={"payment_method": [str(exc.code or "card_declined")]},
            ) from exc
        except stripe.StripeError as exc:
            raise GatewayUnavailable() from exc
        return CreatedPayment(
            reference=intent.id,
            status=_STATUS.get(intent.status, "pending"),
            client_secret=intent.client_secret or "",
        )

    def confirm(self, *, reference: str, amount: Decimal, currency: str) -> None:
        try:
            self.client.v1.payment_intents.confirm(reference)
        except stripe.StripeError as exc:
            raise GatewayUnavailable() from exc

    def cancel(self, *, reference: str) -> None:
        try:
            self.client.v1.payment_intents.cancel(reference)
        except stripe.StripeError as exc:
            raise GatewayUnavailable() from exc

    def refund(self, *, reference: str, amount: Decimal, currency: str, local_id: int) -> str:
        try:
            refund = self.client.v1.refunds.create(
                params={
                    "payment_intent": reference,
                    "amount": to_minor_units(amount),
                    "metadata": {"refund": str(local_id)},
                },
                options={"idempotency_key": f"refund-{local_id}"},
            )
        except stripe.StripeError as exc:
            raise GatewayUnavailable() from exc
        return str(refund.id)

    def parse_event(self, *, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        header = headers.get(SIGNATURE_HEADER, "")
        if not header:
            raise WebhookSignatureInvalid("The Stripe-Signature header is missing.")
        try:
            event = stripe.Webhook.construct_event(
                body, header, settings.STRIPE_WEBHOOK_SECRET, settings.WEBHOOK_TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError as exc:
            raise WebhookSignatureInvalid() from exc
        except ValueError as exc:
            raise WebhookPayloadInvalid() from exc
        return _read(event.to_dict())


def _read(event: dict[str, Any]) -> ProviderEvent:
    """Stripe's event in the domain's terms; types it does not act on are kept as they
    are and ignored when applied."""
    try:
        obj = event["data"]["object"]
        kind = event["type"]
        metadata = obj.get("metadata")
        common = {
            "event_id": event["id"],
            "raw": event,
            "local_payment_id": local_id(metadata, "payment"),
            "local_refund_id": local_id(metadata, "refund"),
        }
        if kind == "payment_intent.succeeded":
            return ProviderEvent(
                type="payment.succeeded",
                reference=obj["id"],
                amount=from_minor_units(int(obj["amount_received"])),
                currency=str(obj["currency"]).upper(),
                **common,
            )
        if kind == "payment_intent.payment_failed":
            error = obj.get("last_payment_error") or {}
            return ProviderEvent(
                type="payment.failed",
                reference=obj["id"],
                failure_reason=str(error.get("decline_code") or error.get("code") or "failed"),
                **common,
            )
        if kind == "payment_intent.canceled":
            return ProviderEvent(type="payment.cancelled", reference=obj["id"], **common)
        if kind == "payment_intent.requires_action":
            return ProviderEvent(type="payment.requires_action", reference=obj["id"], **common)
        if kind in ("refund.created", "refund.updated") and obj.get("status") == "succeeded":
            return ProviderEvent(
                type="refund.succeeded",
                reference=str(obj["payment_intent"]),
                refund_reference=obj["id"],
                amount=from_minor_units(int(obj["amount"])),
                currency=str(obj["currency"]).upper(),
                **common,
            )
        return ProviderEvent(type=f"stripe.{kind}", reference=str(obj.get("id", "")), **common)
    except (KeyError, TypeError, ValueError) as exc:
        raise WebhookPayloadInvalid() from exc
