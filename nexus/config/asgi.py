import os

from django.core.asgi import get_asgi_application

from nexus.core.tracing import configure_tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.config.settings.base")

configure_tracing("nexus-web")
application = get_asgi_application()
