import os

from django.core.wsgi import get_wsgi_application

from nexus.core.tracing import configure_tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.config.settings.base")

# Before the application loads its middleware: the Django instrumentation adds its own.
configure_tracing("nexus-web")
application = get_wsgi_application()
