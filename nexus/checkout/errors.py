from nexus.core.errors import Conflict, NotFound, ValidationFailed
from nexus.inventory.errors import InsufficientStock

__all__ = [
    "CartClosed",
    "CartEmpty",
    "CartLimitExceeded",
    "CartLineNotFound",
    "CartNotFound",
    "InsufficientStock",
    "LinesUnavailable",
    "ShippingMethodUnavailable",
    "VariantUnavailable",
]


class CartNotFound(NotFound):
    code = "cart_not_found"
    default_message = "No such cart."


class CartLineNotFound(NotFound):
    code = "cart_line_not_found"
    default_message = "No such line in this cart."


class CartClosed(Conflict):
    code = "cart_closed"
    default_message = "This cart can no longer change: it became an order or was merged."


class VariantUnavailable(ValidationFailed):
    code = "variant_unavailable"
    default_message = "This variant is not for sale."


class CartLimitExceeded(ValidationFailed):
    code = "cart_limit"
    default_message = "The cart would exceed its limits."


class CartEmpty(ValidationFailed):
    code = "cart_empty"
    default_message = "The cart has no lines to order."


class LinesUnavailable(Conflict):
    code = "lines_unavailable"
    default_message = "Some lines of the cart are no longer for sale: remove them first."


class ShippingMethodUnavailable(ValidationFailed):
    code = "shipping_method_unavailable"
    default_message = "Choose a shipping method offered for this address."
