"""The Django admin, with the API's sign-in rate limits on its login form."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request

from nexus.api.rest.problems import problem_response
from nexus.api.rest.throttles import AUTH_THROTTLES


class NexusAdminSite(admin.AdminSite):
    site_header = "Nexus Commerce"
    site_title = "Nexus Commerce admin"

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if request.method == "POST":
            attempt = Request(request, parsers=[FormParser(), MultiPartParser()])
            try:
                attempt.data  # noqa: B018 — parsed once here, shared with Django's form
            except (ParseError, UnsupportedMediaType):
                return super().login(request, extra_context)  # the form reports it
            for throttle_class in AUTH_THROTTLES:
                throttle = throttle_class()
                if not throttle.allow_request(attempt, None):  # type: ignore[arg-type]
                    return self._throttled(request, throttle.wait())
        return super().login(request, extra_context)

    @staticmethod
    def _throttled(request: HttpRequest, wait: float | None) -> HttpResponse:
        seconds = int(wait or 60) + 1
        return problem_response(
            status=429,
            code="throttled",
            detail=f"Too many sign-in attempts. Try again in {seconds} seconds.",
            request=request,
            headers={"Retry-After": str(seconds)},
        )


class NexusAdminConfig(AdminConfig):
    default_site = "nexus.config.admin.NexusAdminSite"
