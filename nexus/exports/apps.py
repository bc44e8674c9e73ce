from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "nexus.exports"
    label = "exports"
    verbose_name = "Exports"
