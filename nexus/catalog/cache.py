"""The catalog version: one number that every catalog write increments after commit.

Cached public responses, and in-process copies of small catalog tables, carry the
version they were made under, so a write makes every earlier copy stale at once
without listing them (they are overwritten or expire by TTL).
"""

import secrets
from typing import Any

from django.core.cache import cache

VERSION_KEY = "catalog:version"


def _fresh_version() -> int:
    # After a flush the count starts again from a random number, so that a copy
    # remembered from before the flush does not match the new version by chance.
    return secrets.randbelow(2**48) + 1


def current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY, 0)
    return int(version)


def read_with_version(key: str) -> tuple[int, Any]:
    """The current version and the entry under ``key`` (or None), in one round trip."""
    found = cache.get_many([VERSION_KEY, key])
    if VERSION_KEY not in found:
        return current_version(), found.get(key)
    return int(found[VERSION_KEY]), found.get(key)


def bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (fresh cache): any fresh one differs from readers'
        if not cache.add(VERSION_KEY, _fresh_version(), timeout=None):
            cache.incr(VERSION_KEY)  # a reader set it meanwhile
