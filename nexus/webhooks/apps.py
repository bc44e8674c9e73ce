from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "nexus.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from nexus.webhooks import consumers  # noqa: F401, PLC0415 — subscribes them
