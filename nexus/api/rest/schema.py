"""OpenAPI helpers: every endpoint documents the errors it can answer with."""

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse

from nexus.api.rest.problems import PROBLEM_CONTENT_TYPE
from nexus.api.rest.serializers import ProblemSerializer

_DESCRIPTIONS = {
    400: "Malformed JSON, wrong types, missing or unknown fields, bad paging.",
    401: "Missing, expired or invalid credentials.",
    403: "Authenticated but not allowed.",
    404: "No such object, or not yours.",
    409: "Conflicts with the current state.",
    413: "Request body too large.",
    415: "Unsupported content type.",
    422: "Well-formed, but refused (e.g. an Idempotency-Key reused with another body).",
    429: "Too many requests; see Retry-After.",
    503: "A service it needs (e.g. the payment provider) is unavailable; retry later.",
}


def problems(*statuses: int) -> dict[tuple[int, str], OpenApiResponse]:
    """Problem+json responses for the given statuses, for ``extend_schema``."""
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            response=ProblemSerializer, description=_DESCRIPTIONS[status]
        )
        for status in statuses
    }


# Errors every endpoint that takes a JSON body can answer with.
BODY_ERRORS = (400, 413, 415)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, told apart lists from problem+json error entries.

    It guesses "is this a list?" from the lowest status code in ``responses``, but
    compares them as strings, so a ``(400, media type)`` key sorts before ``200``
    and list endpoints lost their pagination in the schema.
    """

    def _is_list_view(self, serializer: Any = None) -> bool:
        if serializer is None:
            serializer = self.get_response_serializers()
        if isinstance(serializer, dict):
            successes = {code: s for code, s in serializer.items() if not isinstance(code, tuple)}
            if successes:
                serializer = successes[min(successes, key=str)]
        return bool(super()._is_list_view(serializer))
