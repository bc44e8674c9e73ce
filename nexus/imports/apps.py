from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "nexus.imports"
    label = "imports"
    verbose_name = "Imports"
