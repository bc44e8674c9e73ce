from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "nexus.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from nexus.notifications import consumers  # noqa: F401, PLC0415 — subscribes them
