"""OpenAPI helpers: every endpoint documents the errors it can answer with."""

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular import openapi
from drf_spectacular.plumbing import is_serializer
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from nexus.api.rest.problems import PROBLEM_CONTENT_TYPE
from nexus.api.rest.serializers import (
    ProblemSerializer,
    RejectUnknownFieldsMixin,
    decimal_pattern,
)

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


# The largest id of a bigint primary key.
BIGINT_MAX = 2**63 - 1
# Some character that is not whitespace as DRF trims it (Python's str.isspace), written
# out: a regex engine's \s differs from it (ECMA's leaves out U+001C to U+001F and U+0085,
# and takes in U+FEFF). Unanchored: anywhere in the text.
NOT_BLANK = (
    r"[^\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a"
    r"\u2028\u2029\u202f\u205f\u3000]"
)

# Errors every endpoint that takes a JSON body can answer with.
BODY_ERRORS = (400, 413, 415)


def _instance(serializer: Any) -> Any:
    return serializer() if isinstance(serializer, type) else serializer


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, told what these views really accept.

    - Lists apart from problem+json error entries: it guesses "is this a list?" from
      the lowest status code in ``responses``, but compares them as strings, so a
      ``(400, media type)`` key sorts before ``200`` and list endpoints lost their
      pagination in the schema.
    - A request body whose serializer refuses unknown fields says so
      (``additionalProperties: false``).
    - A PATCH body is partial only when the view validates it as partial
      (``Input(partial=True)``); drf-spectacular assumes every PATCH is, as in DRF's
      generic views, and documented required fields as optional.
    - Decimal strings need a digit and are unsigned when the field takes no negatives.
    - Ids in bodies are positive 64-bit integers (a larger JSON number does not arrive
      as an integer at all).
    - A text field that may not be blank needs a character besides whitespace, which
      DRF trims before it checks; an uploaded file may not be empty.
    """

    def _is_list_view(self, serializer: Any = None) -> bool:
        if serializer is None:
            serializer = self.get_response_serializers()
        if isinstance(serializer, dict):
            successes = {code: s for code, s in serializer.items() if not isinstance(code, tuple)}
            if successes:
                serializer = successes[min(successes, key=str)]
        return bool(super()._is_list_view(serializer))

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)  # type: ignore[no-untyped-call]
        if direction == "request" and isinstance(_instance(serializer), RejectUnknownFieldsMixin):
            schema["additionalProperties"] = False
        return schema

    def _get_request_for_media_type(self, serializer: Any, direction: str = "request") -> Any:
        if (
            self.method == "PATCH"
            and is_serializer(serializer)
            and not getattr(_instance(serializer), "partial", False)
        ):
            self.method = "POST"  # skips the PATCH-means-partial copy, nothing else
            try:
                return self._request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return self._request_for_media_type(serializer, direction)

    def _request_for_media_type(self, serializer: Any, direction: str) -> Any:
        return super()._get_request_for_media_type(serializer, direction)  # type: ignore[no-untyped-call]

    def _map_serializer_field(self, field: Any, direction: str, *args: Any, **kwargs: Any) -> Any:
        schema = super()._map_serializer_field(field, direction, *args, **kwargs)  # type: ignore[no-untyped-call]
        if not isinstance(schema, dict):
            return schema
        if isinstance(field, serializers.DecimalField) and "pattern" in schema:
            schema["pattern"] = decimal_pattern(field)
        if direction != "request":
            return schema
        if isinstance(field, serializers.FileField) and not field.allow_empty_file:
            schema.setdefault("minLength", 1)
        if (
            isinstance(field, serializers.PrimaryKeyRelatedField)
            and schema.get("type") == "integer"
        ):
            schema.setdefault("minimum", 1)
            schema.setdefault("maximum", BIGINT_MAX)
        if (
            isinstance(field, serializers.CharField)
            and field.trim_whitespace
            and not field.allow_blank
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & schema.keys()
            and not any(isinstance(v, RegexValidator) for v in field.validators)
        ):
            schema["pattern"] = NOT_BLANK
        return schema
