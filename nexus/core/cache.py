"""The Redis cache, timed per operation for /metrics.

django-prometheus counts cache reads, hits and misses but not how long any
operation takes; a slow Redis shows first as time, so the shop measures it here.
"""

from collections.abc import Callable
from typing import Any

from django_prometheus.cache.backends.redis import RedisCache
from prometheus_client import Histogram

CACHE_OPERATION_SECONDS = Histogram(
    "nexus_cache_operation_seconds",
    "Time a cache operation took, by operation.",
    ["operation"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2),
)


def _timed(operation: str) -> Callable[..., Any]:
    timer = CACHE_OPERATION_SECONDS.labels(operation=operation)

    def call(self: "MeasuredRedisCache", *args: Any, **kwargs: Any) -> Any:
        with timer.time():
            return getattr(super(MeasuredRedisCache, self), operation)(*args, **kwargs)

    call.__name__ = operation
    return call


class MeasuredRedisCache(RedisCache):
    get = _timed("get")
    get_many = _timed("get_many")
    set = _timed("set")
    set_many = _timed("set_many")
    add = _timed("add")
    delete = _timed("delete")
    delete_many = _timed("delete_many")
    incr = _timed("incr")
