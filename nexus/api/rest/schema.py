"""OpenAPI helpers: every endpoint documents the errors it can answer with."""

from drf_spectacular.utils import OpenApiResponse

from nexus.api.rest.serializers import ProblemSerializer

_DESCRIPTIONS = {
    400: "Malformed JSON, wrong types, missing or unknown fields, bad paging.",
    401: "Missing, expired or invalid credentials.",
    403: "Authenticated but not allowed.",
    404: "No such object, or not yours.",
    409: "Conflicts with the current state.",
    413: "Request body too large.",
    415: "Unsupported content type.",
    429: "Too many requests; see Retry-After.",
}


def problems(*statuses: int) -> dict[int, OpenApiResponse]:
    """Problem+json responses for the given statuses, for ``extend_schema``."""
    return {
        status: OpenApiResponse(response=ProblemSerializer, description=_DESCRIPTIONS[status])
        for status in statuses
    }


# Errors every endpoint that takes a JSON body can answer with.
BODY_ERRORS = (400, 413, 415)
