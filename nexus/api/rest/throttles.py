"""Rate limits, kept in the cache (Redis in production, shared by every web pod).

Rates are read from ``settings.THROTTLE_RATES`` on each request rather than once
at import, so configuration and tests can change them.
"""

import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework import throttling
from rest_framework.request import Request

if TYPE_CHECKING:  # DRF imports this module while defining APIView itself
    from rest_framework.views import APIView


class _SettingsRateMixin:
    scope: str

    def get_rate(self) -> str | None:
        rate: str | None = settings.THROTTLE_RATES.get(self.scope)
        return rate


class AnonRateThrottle(_SettingsRateMixin, throttling.AnonRateThrottle):
    scope = "anon"


class UserRateThrottle(_SettingsRateMixin, throttling.UserRateThrottle):
    """Signed-in users only; anonymous requests are the AnonRateThrottle's."""

    scope = "user"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class AuthIPThrottle(_SettingsRateMixin, throttling.SimpleRateThrottle):
    """Login and registration attempts per client IP."""

    scope = "auth_ip"

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthAccountThrottle(_SettingsRateMixin, throttling.SimpleRateThrottle):
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
