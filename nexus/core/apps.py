from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "nexus.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from nexus.core import task_context  # noqa: F401, PLC0415 — connects its signals
