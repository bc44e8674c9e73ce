from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from nexus.api import metrics
from nexus.api.rest import health
from nexus.api.rest.problems import problem_response

PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": health.healthz,
    "/readyz": health.readyz,
    "/metrics": metrics.metrics,
}


class ProbeMiddleware:
    """Answer /healthz, /readyz and /metrics before anything else runs.

    Kubernetes, load balancers and Prometheus call them by pod IP, which is no allowed
    host, without cookies or CSRF tokens; they need none of the request machinery.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path)
        if probe is None:
            return self.get_response(request)
        if request.method not in {"GET", "HEAD"}:
            return problem_response(
                status=405,
                code="method_not_allowed",
                detail="Probes answer GET and HEAD only.",
                request=request,
                headers={"Allow": "GET, HEAD"},
            )
        response = probe(request)
        if request.method == "HEAD":
            response.content = b""
        return response


class RequestBodyLimitMiddleware:
    """Refuse a declared body over the limit before any of it is read (413).

    A body without Content-Length (chunked) is refused too (411): Django's WSGI
    request would read it as empty, silently dropping the client's input.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not request.META.get("CONTENT_LENGTH"):
            return problem_response(
                status=411,
                code="length_required",
                detail="Send the body with a Content-Length header.",
                request=request,
            )
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return problem_response(
                status=400,
                code="bad_content_length",
                detail="Content-Length is not a number.",
                request=request,
            )
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
        limit = settings.API_MAX_UPLOAD_BYTES if multipart else settings.API_MAX_BODY_BYTES
        if length > limit:
            return problem_response(
                status=413,
                code="request_too_large",
                detail=f"The request body is larger than {limit} bytes.",
                request=request,
            )
        return self.get_response(request)
