"""The catalog version: one number that every catalog write increments after commit.

Cached public responses carry the version they were made under, so a write makes
every earlier entry stale at once without listing them (they are overwritten or
expire by TTL).
"""

from typing import Any

from django.core.cache import cache

VERSION_KEY = "catalog:version"


def current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
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
    except ValueError:  # no version yet (fresh cache): start above any reader's 1
        if not cache.add(VERSION_KEY, 2, timeout=None):
            cache.incr(VERSION_KEY)  # a reader set it meanwhile
