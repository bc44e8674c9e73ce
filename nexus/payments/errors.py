from nexus.core.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed


class UnknownGateway(NotFound):
    code = "unknown_gateway"
    default_message = "No such payment gateway."


class WebhookSignatureInvalid(ValidationFailed):
    code = "webhook_signature_invalid"
    default_message = "The event's signature is missing, wrong or too old."


class WebhookPayloadInvalid(ValidationFailed):
    code = "webhook_payload_invalid"
    default_message = "The event could not be read."


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    default_message = "Only an unpaid order can be paid."


class PaymentDeclined(ValidationFailed):
    code = "payment_declined"
    default_message = "The payment could not be made."


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    default_message = "No such payment of this order."


class SandboxDisabled(NotFound):
    code = "gateway_disabled"
    default_message = "The sandbox gateway is off here (no SANDBOX_WEBHOOK_SECRET)."


class RefundNotPossible(Conflict):
    code = "refund_not_possible"
    default_message = "This refund is more than the payment has left to give back."


class GatewayUnavailable(ServiceUnavailable):
    """The provider could not be reached or is not configured."""

    code = "gateway_unavailable"
    default_message = "The payment provider cannot be reached; try again shortly."
