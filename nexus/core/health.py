"""Readiness checks of the services the process depends on.

Each check runs in its own thread with its own short timeout, all at once, so a
hung dependency costs one timeout rather than the sum, and the report names
exactly which one failed.
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

import structlog
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from kombu import Connection

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    duration_ms: float
    error: str = ""


def check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # Checks run in pool threads; Django's connections are per thread.
        connections.close_all()


def check_cache() -> None:
    key = "health:probe"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")


def check_broker() -> None:
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        return  # embedded mode: work runs in-process, there is no broker to reach
    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    with Connection(url, connect_timeout=timeout, transport_options={"max_retries": 0}) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)


READINESS_CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


# Without its database the web process cannot answer; without the cache it answers
# uncached and unthrottled, and without the broker its events wait in the outbox. So only
# the database decides readiness: a cache or broker outage must not take every web pod
# out of the load balancer. The others are reported ("degraded") for monitoring.
REQUIRED_FOR_SERVING = frozenset({"database"})


def readiness(results: list[CheckResult]) -> tuple[str, bool]:
    """The overall status ("ready", "degraded", "unavailable") and whether to serve."""
    serving = all(r.ok for r in results if r.name in REQUIRED_FOR_SERVING)
    if not serving:
        return "unavailable", False
    return ("ready" if all(r.ok for r in results) else "degraded"), True


def _timed(name: str, check: Callable[[], None]) -> CheckResult:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # noqa: BLE001 — any failure means "not ready", reported by name
        # The probe is public: it names the failure's kind; the details go to the log.
        logger.warning("readiness_check_failed", check=name, error=f"{type(exc).__name__}: {exc}")
        return CheckResult(name, ok=False, duration_ms=_ms_since(started), error=type(exc).__name__)
    return CheckResult(name, ok=True, duration_ms=_ms_since(started))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def run_readiness_checks(
    checks: dict[str, Callable[[], None]] | None = None, timeout: float | None = None
) -> list[CheckResult]:
    checks = READINESS_CHECKS if checks is None else checks
    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS if timeout is None else timeout
    # Not a context manager: leaving one waits for every thread, hung ones included.
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    futures = {name: pool.submit(_timed, name, check) for name, check in checks.items()}
    deadline = time.monotonic() + timeout
    results = []
    for name, future in futures.items():
        try:
            results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
        except FutureTimeout:
            results.append(
                CheckResult(
                    name, ok=False, duration_ms=timeout * 1000, error=f"timed out after {timeout}s"
                )
            )
    pool.shutdown(wait=False, cancel_futures=True)
    return results
