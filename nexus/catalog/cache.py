"""The catalog version: one number that every catalog write increments after commit.

Cached public responses carry the version in their key, so a write makes every
earlier entry unreachable at once (they expire by TTL) without listing them.
"""

from django.core.cache import cache

VERSION_KEY = "catalog:version"


def current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return int(version)


def bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (fresh cache): start above any reader's 1
        if not cache.add(VERSION_KEY, 2, timeout=None):
            cache.incr(VERSION_KEY)  # a reader set it meanwhile
