"""What the payments domain needs of a provider; each gateway speaks its own wire."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True)
class CreatedPayment:
    """The provider's answer to a new payment."""

    reference: str
    status: str  # one of Payment.Status
    client_secret: str = ""  # for a storefront that confirms in the browser
    failure_reason: str = ""


@dataclass(frozen=True)
class ProviderEvent:
    """A verified event, in the domain's terms."""

    event_id: str
    # payment.succeeded, payment.failed, payment.requires_action, payment.cancelled,
    # refund.succeeded; anything else is stored and ignored
    type: str
    reference: str  # the payment it is about
    refund_reference: str = ""  # for refund events, the refund
    # Our own ids, sent to the provider as metadata and echoed in its events: they find
    # the payment or refund even when its provider id was never saved here.
    local_payment_id: int | None = None
    local_refund_id: int | None = None
    amount: Decimal | None = None
    currency: str = ""
    failure_reason: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


class PaymentGateway(Protocol):
    name: ClassVar[str]

    def create_payment(
        self,
        *,
        amount: Decimal,
        currency: str,
        order_number: str,
        payment_method: str,
        local_id: int,
    ) -> CreatedPayment: ...

    def confirm(self, *, reference: str, amount: Decimal, currency: str) -> None:
        """The buyer completed the extra step the provider asked for."""
        ...

    def cancel(self, *, reference: str) -> None:
        """Call off a payment that has not gone through; a ``payment.cancelled``
        event follows."""
        ...

    def refund(self, *, reference: str, amount: Decimal, currency: str, local_id: int) -> str:
        """Ask for a refund; returns the provider's refund id. The money moves with
        a ``refund.succeeded`` event."""
        ...

    def parse_event(self, *, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """Verify the signature first (raising WebhookSignatureInvalid), then read."""
        ...


def to_minor_units(amount: Decimal) -> int:
    """Cents for the two-decimal currencies this shop sells in, as providers count."""
    return int((amount * 100).to_integral_value())


def from_minor_units(amount: int) -> Decimal:
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


def local_id(metadata: object, key: str) -> int | None:
    """Our id from a provider object's metadata, if it is there and well-formed."""
    if isinstance(metadata, dict):
        value = metadata.get(key)
        if isinstance(value, str | int) and str(value).isdigit():
            return int(value)
    return None
