"""``/graphql/``: strawberry's Django view, with the REST API's rate limits."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from strawberry.django.views import GraphQLView as StrawberryView

from nexus.api.rest.throttles import AnonRateThrottle


class GraphQLView(StrawberryView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        throttle = AnonRateThrottle()
        if not throttle.allow_anonymous(request):
            wait = int(throttle.wait() or 1)
            response: HttpResponse = JsonResponse(
                {
                    "errors": [
                        {
                            "message": f"Too many requests; try again in {wait} s.",
                            "extensions": {"code": "throttled"},
                        }
                    ]
                },
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        return super().dispatch(request, *args, **kwargs)
