from django.apps import AppConfig


class TaxesConfig(AppConfig):
    name = "nexus.taxes"
    label = "taxes"
    verbose_name = "Taxes"
