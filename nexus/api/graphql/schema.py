"""The one GraphQL schema: every part's ``Query`` and ``Mutation`` merged."""

from types import ModuleType

import strawberry
from django.conf import settings
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from nexus.api.graphql import (
    accounts,
    catalog,
    checkout,
    orders,
    staff_catalog,
    staff_inventory,
    staff_orders,
)
from nexus.api.graphql.limits import QueryCostLimiter
from nexus.api.graphql.observability import ErrorLogger, is_expected

_PARTS: tuple[ModuleType, ...] = (
    catalog,
    accounts,
    orders,
    checkout,
    staff_catalog,
    staff_inventory,
    staff_orders,
)


# The depth and alias rules, made once: the validation cache is keyed by the rules, and
# limiter extensions built per request would each bring new rule classes (no hits).
_LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=settings.GRAPHQL_MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=settings.GRAPHQL_MAX_ALIASES).validation_rules,
]


def _merged(name: str) -> type | None:
    types = tuple(getattr(part, name) for part in _PARTS if hasattr(part, name))
    return merge_types(name, types) if types else None


schema = strawberry.Schema(
    query=_merged("Query"),  # type: ignore[arg-type]  # catalog always has one
    mutation=_merged("Mutation"),
    # A new instance per request: extensions hold the request's execution context.
    extensions=[
        lambda: AddValidationRules(_LIMIT_RULES),
        # A storefront sends the same few documents again and again: parse and
        # validate each once (the depth and alias rules are part of validation).
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        QueryCostLimiter,  # after ValidationCache, which sets the validation errors
        ErrorLogger,
        # Anything unexpected reaches clients as "Unexpected error." (logged in full).
        lambda: MaskErrors(should_mask_error=lambda error: not is_expected(error)),
    ],
    config=StrawberryConfig(relay_max_results=settings.API_MAX_PAGE_SIZE),
)
