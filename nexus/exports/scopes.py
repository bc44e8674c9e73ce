"""Which rows an export covers, given the filters it was asked with.

The filters are those of the staff list endpoints and live in the API layer, which
this domain must not import. So the API registers one resolver per kind here
(dependency inversion); a worker, which never loads the API otherwise, loads it
through the URLconf before resolving (``ensure_registered``).
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.urls import get_resolver

ScopeResolver = Callable[[Mapping[str, str]], QuerySet[Any]]

_resolvers: dict[str, ScopeResolver] = {}


def scope_register(*, kind: str, resolver: ScopeResolver) -> None:
    _resolvers[kind] = resolver


def ensure_registered() -> None:
    if not _resolvers:
        # Importing the URLconf imports the API's export views, which register.
        get_resolver().url_patterns  # noqa: B018 — the import is the point


def scope_resolve(*, kind: str, filters: Mapping[str, str]) -> QuerySet[Any]:
    """The filtered queryset; invalid filters raise the resolver's validation error."""
    ensure_registered()
    return _resolvers[kind](filters)
