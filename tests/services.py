"""Fail fast, by name, when a service the tests need is not reachable."""

from urllib.parse import urlsplit

import psycopg
import redis
from django.conf import settings
from kombu import Connection

START_HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
    "RabbitMQ": "rabbitmq-server -detached",
}


def _postgres() -> None:
    db = settings.DATABASES["default"]
    # The maintenance database: the test database does not exist yet.
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=int(db["PORT"] or 5432),
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        connect_timeout=3,
    ) as conn:
        conn.execute("SELECT 1")


def _redis() -> None:
    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()


def _rabbitmq() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=3) as conn:
        conn.ensure_connection(max_retries=1, timeout=3)


def unreachable_services() -> list[str]:
    """One line per service the suite cannot reach, naming it, its URL and a fix."""
    checks = {
        "PostgreSQL": (_postgres, _safe_url(_database_url())),
        "Redis": (_redis, _safe_url(settings.REDIS_URL)),
        "RabbitMQ": (_rabbitmq, _safe_url(settings.CELERY_BROKER_URL)),
    }
    problems = []
    for name, (check, url) in checks.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 — every failure is reported, by service
            problems.append(
                f"{name} is not reachable at {url}: {type(exc).__name__}: {exc}\n"
                f"    start it with: {START_HINTS[name]}"
            )
    return problems


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _safe_url(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
