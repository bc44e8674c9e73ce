from nexus.core.errors import Conflict, NotFound, ValidationFailed


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = "Not enough stock for the requested quantity."


class WarehouseNotFound(NotFound):
    code = "warehouse_not_found"
    default_message = "No such warehouse."


class WarehouseInUse(Conflict):
    code = "warehouse_in_use"
    default_message = "The warehouse still holds stock rows; move or delete them first."


class WarehouseSlugTaken(Conflict):
    code = "warehouse_slug_taken"
    default_message = "A warehouse with this slug exists."


class VariantNotFound(NotFound):
    code = "variant_not_found"
    default_message = "No such variant."


class StockBelowAllocated(Conflict):
    code = "stock_below_allocated"
    default_message = "On hand cannot go below the units already promised to orders."


class StockNegative(ValidationFailed):
    code = "stock_negative"
    default_message = "On hand cannot go below zero."


class StockTooLarge(ValidationFailed):
    code = "stock_too_large"
    default_message = "More units than a stock row can hold."
