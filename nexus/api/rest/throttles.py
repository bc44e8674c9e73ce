"""Rate limits, kept in the cache (Redis in production, shared by every web pod).

Rates are read from ``settings.THROTTLE_RATES`` on each request rather than once
at import, so configuration and tests can change them.
"""

import hashlib
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework import throttling
from rest_framework.request import Request

if TYPE_CHECKING:  # DRF imports this module while defining APIView itself
    from rest_framework.views import APIView


class FixedWindowRateThrottle(throttling.SimpleRateThrottle):
    """A fixed-window counter: one atomic increment per request.

    DRF's own throttles keep every request's timestamp of the last window in one
    cache entry, read and rewritten whole on each request: at 300 requests a
    minute that is a 300-element list pickled twice per request. A counter per
    window costs the same at any rate; it may let up to twice the rate through
    across a window boundary, which is acceptable for these limits.
    """

    scope: str
    num_requests: int  # set by SimpleRateThrottle from the rate
    duration: int

    def get_rate(self) -> str | None:
        rate: str | None = settings.THROTTLE_RATES.get(self.scope)
        return rate

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return self._count_against_limit()

    def _count_against_limit(self) -> bool:
        now = time.time()
        window_start = int(now // self.duration) * self.duration
        key = f"{self.key}:{window_start}"
        # Increment first: after a window's first request that is one round trip.
        try:
            count = cache.incr(key)
        except ValueError:  # the window's first request: open it, then count atomically
            cache.add(key, 0, timeout=self.duration + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # expired in between; only a clock jump gets here
                count = 1
        self.wait_seconds = window_start + self.duration - now
        return bool(count is None or count <= self.num_requests)  # None: cache down

    def wait(self) -> float | None:
        return getattr(self, "wait_seconds", None)


class AnonRateThrottle(FixedWindowRateThrottle, throttling.AnonRateThrottle):
    scope = "anon"

    def allow_anonymous(self, request: HttpRequest) -> bool:
        """The same limit for a request answered before DRF (cached catalog reads),
        which carries no credentials: counted under the same key as DRF would."""
        if self.rate is None:
            return True
        # get_ident reads only META, which a plain HttpRequest has as DRF's does.
        ident = self.get_ident(request)  # type: ignore[arg-type]
        self.key = self.cache_format % {"scope": self.scope, "ident": ident}
        return self._count_against_limit()


class UserRateThrottle(FixedWindowRateThrottle, throttling.UserRateThrottle):
    """Signed-in users only; anonymous requests are the AnonRateThrottle's."""

    scope = "user"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)

    def allow_user(self, user_id: int) -> bool:
        """The same limit for a signed-in request outside DRF (GraphQL), under the key
        DRF would count it."""
        if self.rate is None:
            return True
        self.key = self.cache_format % {"scope": self.scope, "ident": user_id}
        return self._count_against_limit()


class AuthIPThrottle(FixedWindowRateThrottle, throttling.SimpleRateThrottle):
    """Login and registration attempts per client IP."""

    scope = "auth_ip"

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthAccountThrottle(FixedWindowRateThrottle, throttling.SimpleRateThrottle):
    """Login and registration attempts per account, whatever IPs they come from."""

    scope = "auth_account"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if request.user and request.user.is_authenticated:
            account = f"user:{request.user.pk}"
        else:
            data: Any = request.data
            # "username" is the admin login form's name for the email.
            email = (data.get("email") or data.get("username")) if hasattr(data, "get") else None
            if not isinstance(email, str) or not email.strip():
                return None  # nothing to key on; the IP limit still applies
            account = f"email:{email.strip().lower()}"
        # Hashed: the cache need not hold readable email addresses.
        ident = hashlib.sha256(account.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


AUTH_THROTTLES = [AuthIPThrottle, AuthAccountThrottle]
