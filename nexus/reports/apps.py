from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "nexus.reports"
    label = "reports"
    verbose_name = "Reports"
