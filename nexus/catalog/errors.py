from nexus.core.errors import Conflict, NotFound, ValidationFailed


class CategoryNotFound(NotFound):
    code = "category_not_found"
    default_message = "No such category."


class ProductNotFound(NotFound):
    code = "product_not_found"
    default_message = "No such product."


class VariantNotFound(NotFound):
    code = "variant_not_found"
    default_message = "No such variant."


class CatalogObjectNotFound(NotFound):
    code = "not_found"
    default_message = "No such catalog object."


class SlugTaken(Conflict):
    code = "slug_taken"
    default_message = "This slug is already used."


class SkuTaken(Conflict):
    code = "sku_taken"
    default_message = "This SKU is already used."


class AttributeNotAllowed(ValidationFailed):
    code = "attribute_not_allowed"
    default_message = "The product type does not allow this attribute."


class UnknownReference(ValidationFailed):
    code = "unknown_reference"
    default_message = "A referenced object does not exist."


class CategoryNotEmpty(Conflict):
    code = "category_not_empty"
    default_message = "The category still holds products or subcategories."


class ReferenceGone(Conflict):
    code = "reference_gone"
    default_message = "Something this refers to was deleted meanwhile; reload and try again."


class InUse(Conflict):
    code = "in_use"
    default_message = "The object is still in use."


class WrongCurrency(ValidationFailed):
    code = "wrong_currency"
    default_message = "Prices must be in the shop's currency."
