"""The sandbox gateway: a provider that lives in the process, for the embedded mode,
demos and tests. It behaves like a card processor with fixed test cards and reports
outcomes as signed webhook events, in Stripe's scheme (``t=<unix time>,v1=<HMAC-SHA256
of "<t>.<body>">``), which the webhook endpoint verifies like a real provider's."""

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import stripe
from django.conf import settings

from nexus.payments.errors import (
    PaymentDeclined,
    SandboxDisabled,
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

SIGNATURE_HEADER = "Sandbox-Signature"

# Test cards, as card processors publish them: the number decides the outcome.
CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
CARD_REQUIRES_ACTION = "4000002500003155"
_FAILURES = {CARD_DECLINED: "card_declined", CARD_INSUFFICIENT_FUNDS: "insufficient_funds"}


@dataclass(frozen=True)
class SignedEvent:
    body: bytes
    headers: Mapping[str, str]


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """A ``t=…,v1=…`` header for the body, made by the stripe library."""
    header: str = stripe.WebhookSignature.generate_signature_header(
        body.decode(), secret, timestamp
    )
    return header


def verify(body: bytes, header: str, secret: str, tolerance_seconds: int) -> None:
    """Raise WebhookSignatureInvalid unless a v1 signature of the header matches and
    its timestamp is within the tolerance (checked by the stripe library)."""
    try:
        stripe.WebhookSignature.verify_header(body, header, secret, tolerance_seconds)
    except stripe.SignatureVerificationError as exc:
        raise WebhookSignatureInvalid(str(exc.user_message or exc)) from exc
    except ValueError as exc:  # not UTF-8: there is nothing a signature could cover
        raise WebhookPayloadInvalid() from exc


class SandboxGateway:
    name: ClassVar[str] = "sandbox"

    def __init__(self) -> None:
        self.secret = settings.SANDBOX_WEBHOOK_SECRET
        self.outbox: list[SignedEvent] = []  # delivered by the caller after commit
        if not self.secret:  # production without a secret: the sandbox is off
            raise SandboxDisabled()

    def _emit(self, type_: str, obj: dict[str, Any]) -> None:
        event = {
            "id": f"evt_{secrets.token_hex(12)}",
            "type": type_,
            "created": int(time.time()),
            "data": {"object": obj},
        }
        body = json.dumps(event, separators=(",", ":")).encode()
        self.outbox.append(SignedEvent(body, {SIGNATURE_HEADER: sign(body, self.secret)}))

    def create_payment(
        self,
        *,
        amount: Decimal,
        currency: str,
        order_number: str,
        payment_method: str,
        local_id: int,
    ) -> CreatedPayment:
        reference = f"sb_pay_{secrets.token_hex(12)}"
        obj = {
            "id": reference,
            "amount": to_minor_units(amount),
            "currency": currency.lower(),
            "metadata": {"order": order_number, "payment": str(local_id)},
        }
        if payment_method == CARD_SUCCEEDS:
            self._emit("payment.succeeded", obj)
            return CreatedPayment(reference, "pending")
        if payment_method in _FAILURES:
            self._emit("payment.failed", {**obj, "failure_code": _FAILURES[payment_method]})
            return CreatedPayment(reference, "pending")
        if payment_method == CARD_REQUIRES_ACTION:
            self._emit("payment.requires_action", obj)
            return CreatedPayment(reference, "requires_action", client_secret=reference)
        raise PaymentDeclined(
            field_errors={"payment_method": ["Use one of the sandbox's test card numbers."]}
        )

    def confirm(self, *, reference: str, amount: Decimal, currency: str) -> None:
        """The buyer completed the extra step: the payment goes through."""
        self._emit(
            "payment.succeeded",
            {"id": reference, "amount": to_minor_units(amount), "currency": currency.lower()},
        )

    def cancel(self, *, reference: str) -> None:
        self._emit("payment.cancelled", {"id": reference})

    def refund(self, *, reference: str, amount: Decimal, currency: str, local_id: int) -> str:
        refund_id = f"sb_re_{secrets.token_hex(12)}"
        self._emit(
            "refund.succeeded",
            {
                "id": refund_id,
                "payment": reference,
                "amount": to_minor_units(amount),
                "currency": currency.lower(),
                "metadata": {"refund": str(local_id)},
            },
        )
        return refund_id

    def parse_event(self, *, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        header = headers.get(SIGNATURE_HEADER, "")
        if not header:
            raise WebhookSignatureInvalid("The Sandbox-Signature header is missing.")
        verify(body, header, self.secret, settings.WEBHOOK_TOLERANCE_SECONDS)
        try:
            event = json.loads(body)
            obj = event["data"]["object"]
            reference = obj["payment"] if event["type"].startswith("refund.") else obj["id"]
            return ProviderEvent(
                event_id=str(event["id"]),
                type=str(event["type"]),
                reference=str(reference),
                refund_reference=str(obj["id"]) if event["type"].startswith("refund.") else "",
                amount=from_minor_units(int(obj["amount"])) if "amount" in obj else None,
                currency=str(obj.get("currency", "")).upper(),
                failure_reason=str(obj.get("failure_code", "")),
                raw=event,
                local_payment_id=local_id(obj.get("metadata"), "payment"),
                local_refund_id=local_id(obj.get("metadata"), "refund"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookPayloadInvalid() from exc
