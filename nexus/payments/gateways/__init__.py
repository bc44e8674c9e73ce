"""Payment gateways by name; ``PAYMENT_GATEWAY`` picks the one new payments use."""

from django.conf import settings

from nexus.payments.errors import UnknownGateway
from nexus.payments.gateways.base import PaymentGateway
from nexus.payments.gateways.sandbox import SandboxGateway
from nexus.payments.gateways.stripe_gateway import StripeGateway


def gateway(name: str) -> PaymentGateway:
    gateways: dict[str, type[PaymentGateway]] = {
        SandboxGateway.name: SandboxGateway,
        StripeGateway.name: StripeGateway,
    }
    if name not in gateways:
        raise UnknownGateway()
    return gateways[name]()


def default_gateway() -> PaymentGateway:
    return gateway(settings.PAYMENT_GATEWAY)
