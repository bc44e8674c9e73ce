from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "nexus.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from nexus.payments import consumers  # noqa: F401, PLC0415 — subscribes them
