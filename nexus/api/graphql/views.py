"""``/graphql/``: strawberry's Django view, under the REST API's rate limits."""

import json
from typing import Any, cast

import orjson
from cross_web import HTTPException, SyncHTTPRequestAdapter
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from strawberry.django.views import GraphQLView as StrawberryView

from nexus.accounts.models import User
from nexus.api.graphql.context import remember_user
from nexus.api.rest.throttles import AnonRateThrottle, UserRateThrottle


def _request_refused(message: str, code: str, status: int) -> HttpResponse:
    return JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status=status
    )


def _throttled(wait: float | None) -> HttpResponse:
    seconds = max(int(wait or 1), 1)
    response = _request_refused(f"Too many requests; try again in {seconds} s.", "throttled", 429)
    response["Retry-After"] = str(seconds)
    return response


class GraphQLView(StrawberryView):
    def decode_json(self, data: str | bytes) -> object:
        """orjson refuses what ``json`` lets through to fail later: invalid UTF-8, lone
        surrogates, nesting past 1,024 levels; each is a 400 here."""
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        """orjson, as the REST API renders: several times faster than json for a page."""
        try:
            return orjson.dumps(data)
        except TypeError:  # a lone surrogate echoed in a message: json escapes it
            return json.dumps(data, separators=(",", ":")).encode()

    def parse_multipart(self, request: SyncHTTPRequestAdapter) -> dict[str, str]:
        """An upload (GraphQL multipart request spec) whose ``map`` does not fit its
        ``operations`` is the client's mistake: a 400, as strawberry answers a missing
        file part, rather than the 500 its placeholder walk would raise."""
        try:
            return super().parse_multipart(request)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise HTTPException(400, "The multipart map does not match the operations.") from exc

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        """Signed-in requests count against the user's limit, others against the
        client IP's, as over REST. A bad token is left for the resolvers to refuse."""
        try:
            authenticated = JWTAuthentication().authenticate(request)  # type: ignore[arg-type]
        except (AuthenticationFailed, InvalidToken, TokenError):
            authenticated = None
        if authenticated is not None:
            user = cast("User", authenticated[0])
            remember_user(request, user)
            user_throttle = UserRateThrottle()
            if not user_throttle.allow_user(user.pk):
                return _throttled(user_throttle.wait())
        else:
            anon_throttle = AnonRateThrottle()
            if not anon_throttle.allow_anonymous(request):
                return _throttled(anon_throttle.wait())
        # A multipart upload's body is binary (the image), and reading it whole here would
        # hold it in memory: its operations and map are decoded as form fields instead.
        if request.content_type != "multipart/form-data":
            try:
                request.body.decode("utf-8")  # strawberry decodes it unguarded
            except UnicodeDecodeError:
                return _request_refused("The request body is not UTF-8.", "malformed_request", 400)
        return super().dispatch(request, *args, **kwargs)
