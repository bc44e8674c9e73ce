from nexus.core.errors import Conflict, NotFound, ValidationFailed


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


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = "Not enough stock for the requested quantity."
