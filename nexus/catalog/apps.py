from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "nexus.catalog"
    label = "catalog"
    verbose_name = "Catalog"
