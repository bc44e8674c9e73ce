"""The Django admin, with the API's sign-in rate limits on its login form."""

from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request

from nexus.api.rest.problems import problem_response
from nexus.api.rest.throttles import AUTH_THROTTLES
from nexus.reports.charts import line_chart

DASHBOARD_DAYS = 90


class NexusAdminSite(admin.AdminSite):
    site_header = "Nexus Commerce"
    site_title = "Nexus Commerce admin"

    def get_urls(self) -> list[URLPattern | URLResolver]:
        dashboard = path("sales/", self.admin_view(self.sales_dashboard), name="sales-dashboard")
        return [dashboard, *super().get_urls()]

    def sales_dashboard(self, request: HttpRequest) -> HttpResponse:
        """Revenue over the last days as a chart, and the months they span."""
        # Here, not at the top: this module is loaded with the app registry, before models.
        from nexus.reports.selectors import sales_report  # noqa: PLC0415

        if not request.user.has_perm("orders.view_order"):
            raise PermissionDenied
        last = timezone.localdate()
        first = last - timedelta(days=DASHBOARD_DAYS - 1)
        report = sales_report(start=first, end=last, grouping="day")
        context = {
            **self.each_context(request),
            "days": DASHBOARD_DAYS,
            "report": report,
            "months": sales_report(start=first, end=last, grouping="month"),
            "chart": line_chart(
                [row.key[5:] for row in report.rows], [row.revenue for row in report.rows]
            ),
        }
        return TemplateResponse(request, "admin/sales_dashboard.html", context)

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
