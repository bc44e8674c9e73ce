"""``Idempotency-Key`` for REST writes (see ``nexus.core.idempotency``)."""

import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

import orjson
from django.http import HttpResponse, HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.api.rest.renderers import dumps
from nexus.core.errors import ValidationFailed
from nexus.core.idempotency import (
    StoredResponse,
    idempotency_claim,
    idempotency_complete,
    idempotency_release,
)

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    pattern=f"^{_VALID_KEY.pattern}$",
    description=(
        "Any unique string (a UUID): the same request sent again with the same key "
        f"gets the first answer, with `{REPLAY_HEADER}: true`. The same key with another "
        "body is a 422; while the first request still runs, a 409."
    ),
)


def _fingerprint(request: Request) -> str:
    body = orjson.dumps(request.data, option=orjson.OPT_SORT_KEYS, default=str)
    parts = [str(request.method).encode(), request.path.encode(), body]
    return hashlib.sha256(b"\n".join(parts)).hexdigest()


def idempotent(view: Callable[..., Response]) -> Callable[..., HttpResponseBase]:
    """Make a DRF view method honour ``Idempotency-Key`` (optional header)."""

    @wraps(view)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        if key is None:
            return view(self, request, *args, **kwargs)
        if not _VALID_KEY.fullmatch(key):
            raise ValidationFailed(
                field_errors={HEADER: ["Give 1 to 255 printable ASCII characters, no spaces."]}
            )
        scope = f"user:{request.user.pk}" if request.user.is_authenticated else "anonymous"
        stored = idempotency_claim(scope=scope, key=key, fingerprint=_fingerprint(request))
        if stored is not None:
            return HttpResponse(
                stored.body,
                status=stored.status,
                content_type=stored.content_type,
                headers={REPLAY_HEADER: "true"},
            )
        try:
            response = view(self, request, *args, **kwargs)
        except BaseException:
            idempotency_release(scope=scope, key=key)
            raise
        if response.status_code >= 500:
            idempotency_release(scope=scope, key=key)
            return response
        body = dumps(response.data)
        idempotency_complete(
            scope=scope,
            key=key,
            response=StoredResponse(response.status_code, body, "application/json"),
        )
        return HttpResponse(body, status=response.status_code, content_type="application/json")

    return wrapper
