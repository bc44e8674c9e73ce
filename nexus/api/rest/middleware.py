from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from nexus.api.rest.problems import problem_response


class RequestBodyLimitMiddleware:
    """Refuse a declared body over the limit before any of it is read (413).

    The JSON parser bounds bodies sent without a Content-Length as it reads them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
        limit = settings.API_MAX_BODY_BYTES
        if length > limit:
            return problem_response(
                status=413,
                code="request_too_large",
                detail=f"The request body is larger than {limit} bytes.",
                request=request,
            )
        return self.get_response(request)
