import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from nexus.accounts.models import User
from nexus.api.rest import throttles
from tests.factories import StaffFactory, UserFactory
from tests.services import unreachable_services


def pytest_sessionstart(session: pytest.Session) -> None:
    if settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1] != "postgresql":
        pytest.exit("The test suite runs on PostgreSQL: DATABASE_URL must be postgres://…", 2)
    problems = unreachable_services()
    if problems:
        pytest.exit("Test services are not reachable:\n" + "\n".join(problems), returncode=2)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Throttle counters and cached values never leak from one test to the next."""
    yield
    cache.delete_pattern("*")  # type: ignore[attr-defined]  # django-redis; this run's prefix


@pytest.fixture(autouse=True)
def _one_throttle_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate limits count per fixed one-minute window; a test whose requests straddled
    a window's end would see its count start again. Their clock is held mid-window."""
    held = int(time.time() // 3600) * 3600 + 30.0
    monkeypatch.setattr(throttles, "time", SimpleNamespace(time=lambda: held))


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    """An API client signed in as the given user with a real access token."""

    def make(user: User) -> APIClient:
        client = APIClient()
        token = RefreshToken.for_user(user).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def customer(db: Any) -> User:
    return UserFactory.create()


@pytest.fixture
def other_customer(db: Any) -> User:
    return UserFactory.create()


@pytest.fixture
def staff(db: Any) -> User:
    return StaffFactory.create()


@pytest.fixture
def catalog(db: Any) -> Any:
    from tests.catalog_data import build_catalog  # noqa: PLC0415 — only catalog tests need it

    return build_catalog()
