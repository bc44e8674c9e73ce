"""``/graphql/``: strawberry's Django view, under the REST API's rate limits."""

from typing import Any, cast

import orjson
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from strawberry.django.views import GraphQLView as StrawberryView

from nexus.accounts.models import User
from nexus.api.graphql.context import remember_user
from nexus.api.rest.throttles import AnonRateThrottle, UserRateThrottle


def _throttled(wait: float | None) -> HttpResponse:
    seconds = max(int(wait or 1), 1)
    response = JsonResponse(
        {
            "errors": [
                {
                    "message": f"Too many requests; try again in {seconds} s.",
                    "extensions": {"code": "throttled"},
                }
            ]
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


class GraphQLView(StrawberryView):
    def encode_json(self, data: object) -> bytes:
        """orjson, as the REST API renders: several times faster than json for a page."""
        return orjson.dumps(data)

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
        return super().dispatch(request, *args, **kwargs)
