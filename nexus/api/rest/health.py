"""Probes for load balancers and Kubernetes: plain functions, no auth, no DRF.

Served by ``ProbeMiddleware`` ahead of host checks, sessions and CSRF.
"""

from dataclasses import asdict

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from nexus.api.rest.renderers import dumps
from nexus.core.health import readiness, run_readiness_checks


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and serving; touches no dependency."""
    return HttpResponse(dumps({"status": "ok"}), content_type="application/json")


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """200 while the database answers ("degraded" when the cache or the broker does
    not, each named in the checks); 503 without the database."""
    results = run_readiness_checks()
    status, serving = readiness(results)
    body = {"status": status, "checks": {result.name: asdict(result) for result in results}}
    return HttpResponse(
        dumps(body), status=200 if serving else 503, content_type="application/json"
    )
