from nexus.core.errors import NotFound, ValidationFailed


class WebhookEndpointNotFound(NotFound):
    code = "webhook_endpoint_not_found"
    default_message = "No such webhook endpoint."


class WebhookDeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"
    default_message = "No such webhook delivery."


class WebhookUrlRefused(ValidationFailed):
    code = "webhook_url_refused"
    default_message = "The webhook URL is not one we may send to."
