from nexus.core.errors import Conflict, NotFound, ValidationFailed


class WebhookEndpointNotFound(NotFound):
    code = "webhook_endpoint_not_found"
    default_message = "No such webhook endpoint."


class WebhookDeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"
    default_message = "No such webhook delivery."


class WebhookUrlRefused(ValidationFailed):
    code = "webhook_url_refused"
    default_message = "The webhook URL is not one we may send to."


class WebhookDeliveryInFlight(Conflict):
    code = "webhook_delivery_in_flight"
    default_message = "The delivery is being sent right now; redeliver it once that attempt ends."
