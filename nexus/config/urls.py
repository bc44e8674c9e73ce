from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from nexus.api.graphql.schema import schema
from nexus.api.graphql.views import GraphQLView

urlpatterns = [
    # /healthz and /readyz are answered by nexus.api.rest.middleware.ProbeMiddleware.
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/v1/", include("nexus.api.rest.urls")),
    # Signed in by bearer token only, never by cookie: nothing for CSRF to protect.
    path(
        "graphql/",
        csrf_exempt(
            GraphQLView.as_view(
                schema=schema,
                graphql_ide="graphiql" if settings.GRAPHQL_IDE else None,
                # Image uploads (GraphQL multipart request spec); no cookie auth to forge.
                multipart_uploads_enabled=True,
            )
        ),
        name="graphql",
    ),
]

handler400 = "nexus.api.rest.errors.bad_request"
handler403 = "nexus.api.rest.errors.permission_denied"
handler404 = "nexus.api.rest.errors.page_not_found"
handler500 = "nexus.api.rest.errors.server_error"
