from nexus.core.errors import Conflict


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = "Not enough stock for the requested quantity."
