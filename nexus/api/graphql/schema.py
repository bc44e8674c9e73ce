"""The one GraphQL schema: every part's ``Query`` and ``Mutation`` merged."""

from types import ModuleType

from django.conf import settings
from strawberry.extensions import (
    MaskErrors,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from nexus.api.graphql import (
    accounts,
    catalog,
    checkout,
    orders,
    staff_attributes,
    staff_catalog,
    staff_inventory,
    staff_orders,
)
from nexus.api.graphql.limits import DocumentLimits
from nexus.api.graphql.observability import Schema, is_expected

_PARTS: tuple[ModuleType, ...] = (
    catalog,
    accounts,
    orders,
    checkout,
    staff_catalog,
    staff_attributes,
    staff_inventory,
    staff_orders,
)


def _merged(name: str) -> type | None:
    types = tuple(getattr(part, name) for part in _PARTS if hasattr(part, name))
    return merge_types(name, types) if types else None


schema = Schema(
    query=_merged("Query"),  # type: ignore[arg-type]  # catalog always has one
    mutation=_merged("Mutation"),
    # A new instance per request: extensions hold the request's execution context.
    extensions=[
        # Depth, aliases, cost and unstorable text, right after parsing: a refused
        # document is neither validated nor run.
        DocumentLimits,
        # A storefront sends the same few documents again and again: parse and
        # validate each once.
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        # Anything unexpected reaches clients as "Unexpected error." (logged in full).
        lambda: MaskErrors(should_mask_error=lambda error: not is_expected(error)),
    ],
    config=StrawberryConfig(relay_max_results=settings.API_MAX_PAGE_SIZE),
)
